"""The API's serializers, by area: what a resource looks like on the wire, and what a write
may send. They validate shapes only; every rule is the services' (claims/services)."""
