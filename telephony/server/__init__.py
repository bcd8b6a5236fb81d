"""The server room: the Starlette app and its lifespan, the CLI, the composition root
(`services.py` builds every shared service once), benchmarks and file calls.
The only room that may import every other room.
"""
