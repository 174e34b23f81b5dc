"""Ready-made stacks: the workforce of an account and region (and, later, one stack per project)."""

from groundtruth_cdk.stacks.workforce_stack import TeamSpec, WorkforceStack

__all__ = ["TeamSpec", "WorkforceStack"]
