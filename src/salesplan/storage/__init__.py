"""The store: SQLAlchemy tables, Alembic migrations and repositories. The only place SQL lives."""
