"""A test client that chats through the simulator's JSON API, as the page and scripts do."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(1)


class SimChat:
    def __init__(self, client):
        self.client = client
        self.cursors: dict[str, str] = {}

    async def send(self, user: str, text: str, message_id: str | None = None) -> dict[str, Any]:
        body = {"user": user, "text": text, "id": message_id or f"t{next(_ids)}"}
        response = await self.client.post("/sim/api/messages", json=body)
        assert response.status == 200, await response.text()
        return await response.json()

    async def say(self, user: str, text: str) -> str:
        """Send and return the bot's direct replies as one text."""
        data = await self.send(user, text)
        return "\n".join(r["text"] for r in data["replies"])

    async def inbox(self, user: str) -> list[dict[str, Any]]:
        """Pushes delivered to `user` since the last call."""
        params = {"user": user}
        if user in self.cursors:
            params["after"] = self.cursors[user]
        response = await self.client.get("/sim/api/inbox", params=params)
        assert response.status == 200, await response.text()
        data = await response.json()
        self.cursors[user] = data["cursor"]
        return data["messages"]

    async def inbox_text(self, user: str) -> str:
        return "\n".join(m["text"] for m in await self.inbox(user))
