"""Date formats where Django's own would mislead a merchant (FORMAT_MODULE_PATH)."""
