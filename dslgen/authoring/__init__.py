"""Authoring without code: start a project (from nothing, or from an existing database),
import tools served by MCP Toolbox, generate the reference docs, and review changes
(GitHub annotations, plan diffs). Each module is imported on its own; this package imports
nothing, so seed loading and the CLI pull in only what they use."""
