"""The web front end: the Gradio chat app and the JSON API on one server (``python app.py``).

- ``edge``: every user string is cleaned and bounded here, once, before it goes anywhere else;
- ``ui``: the Gradio Blocks (chat, sources, the plan, the briefing draft, votes);
- ``api``: the JSON API under ``/api/v1`` (FastAPI routes and their pydantic models);
- ``limits``: request body caps and optional basic auth for the whole server (ASGI middleware);
- ``connections``: uvicorn's h11 protocol with a deadline for a request to arrive (silent sockets closed);
- ``docs``: the API's docs page with Swagger UI served locally (offline);
- ``downloads``: the one update every download button gets;
- ``server``: the combined FastAPI app (``create_app`` is the factory uvicorn workers call).
"""
