"""Platform-neutral domain: free of SQLAlchemy and aiohttp."""
