"""The built-in rulesets: TOML data read by the built-in plugins, never imported as code."""
