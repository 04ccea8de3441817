"""Chat commands and conversations per role. They call only bot.core services."""
