"""SQLAlchemy 2 (async) storage behind the domain's ports."""
