"""The rule modules: one per family, each listing its rules in an explicit `RULES` tuple that
`lint.registry` imports. A rule module never imports the registry."""
