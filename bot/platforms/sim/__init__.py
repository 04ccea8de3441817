"""The local simulator channel: a web page and a JSON API to chat as any roster person."""
