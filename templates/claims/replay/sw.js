{% autoescape off %}"use strict";
/* The desk's replay worker: ReplayWeb.page's own (the vendored sw.js, unchanged), with one
   rule added, because the replay runs on the desk's origin. Every document it serves from an
   archive gets `Content-Security-Policy: sandbox allow-same-origin`: none of the archived
   page's scripts run, and it cannot submit a form, open a window or navigate the desk, so the
   page can be read in the desk but can never act there with the reader's session. Its
   origin is kept (allow-same-origin) only so that its images and styles still come through
   this worker from the archive; without scripts it has no way to use it.
   ReplayWeb.page's own frame (the scope's index) keeps its scripts: it is the vendored code.
   Loaded as a web worker (ReplayWeb.page also starts one), it is the vendored file alone. */
(function () {
  const isServiceWorker = typeof ServiceWorkerGlobalScope !== "undefined" &&
    self instanceof ServiceWorkerGlobalScope;
  const fetchListeners = [];
  const addEventListener = self.addEventListener.bind(self);
  if (isServiceWorker) {
    // ReplayWeb.page's fetch listener is kept here and called by ours below.
    self.addEventListener = function (type, listener, options) {
      if (type === "fetch") {
        fetchListeners.push(listener);
      } else {
        addEventListener(type, listener, options);
      }
    };
  }
  try {
    importScripts({{ vendor_worker }});  // a JSON string
  } finally {
    self.addEventListener = addEventListener;
  }
  if (!isServiceWorker) {
    return;
  }

  const SANDBOX = "sandbox allow-same-origin; frame-ancestors 'self'";
  const OWN_FRAME = "frame-ancestors 'self'";
  const scope = new URL(self.registration.scope).pathname;
  const ownFrames = new Set([scope, scope + "index.html"]);

  function isDocument(request) {
    return request.mode === "navigate" ||
      ["document", "iframe", "frame", "embed", "object"].includes(request.destination);
  }

  function withPolicy(request, response) {
    if (!(response instanceof Response) || !isDocument(request)) {
      return response;
    }
    if (response.type === "opaqueredirect") {
      return response;  // followed by the browser: the next request comes through here
    }
    if (response.type === "opaque" || response.type === "error") {
      return Response.error();  // a document we cannot sandbox is not shown
    }
    const policy = ownFrames.has(new URL(request.url).pathname) ? OWN_FRAME : SANDBOX;
    const headers = new Headers(response.headers);
    headers.append("Content-Security-Policy", policy);
    try {
      return new Response(response.body, {
        status: response.status, statusText: response.statusText, headers: headers,
      });
    } catch (error) {
      return Response.error();
    }
  }

  addEventListener("fetch", function (event) {
    let answer = null;
    const relayed = new Proxy(event, {
      get: function (target, name) {
        if (name === "respondWith") {
          return function (promise) { answer = promise; };
        }
        const value = Reflect.get(target, name);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    for (const listener of fetchListeners) {
      listener.call(self, relayed);
      if (answer !== null) {
        break;
      }
    }
    if (answer !== null) {
      const request = event.request;
      event.respondWith(Promise.resolve(answer).then(function (response) {
        return withPolicy(request, response);
      }));
    }
  });
})();
{% endautoescape %}
