// Placeholder so the target has a source while the CLI is written.
