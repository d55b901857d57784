// Placeholder so the target has a source while the planner is written.
