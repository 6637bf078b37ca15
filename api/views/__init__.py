"""The API's views, by area. Thin, as the desk's are: parse the request (a serializer), call
a selector or a service, answer; the services decide and refuse in words."""
