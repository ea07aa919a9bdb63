"""The HTTP service: a FastAPI app over ``audit_text``/``audit_bytes`` (app.py), its request and
response models (models.py) and its limits: body size, concurrency, deadlines (limits.py)."""
