"""The operations workbench: tasks, targets, the content centre and DING."""
