"""The coordinators' web app: server-rendered pages in Dutch (English available) over the same
service layer as the HTTP API, signed in with an account and a session cookie."""
