"""Platform adapters: each turns its wire format into bot.core chat types and back."""
