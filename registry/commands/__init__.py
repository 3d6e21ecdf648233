"""CLI commands by area; each module lists its click commands in ``commands``."""
