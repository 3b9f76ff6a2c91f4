"""The bot's HTTP surface: health check now; staff pages and bot endpoints as they are built."""
