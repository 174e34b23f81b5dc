"""Ready-made stacks: the workforce of an account and region, and one stack per labeling project."""

from groundtruth_cdk.stacks.labeling_project_stack import LabelingProjectStack
from groundtruth_cdk.stacks.project_app import ProjectStacks, add_project_stacks
from groundtruth_cdk.stacks.workforce_stack import TeamSpec, WorkforceStack

__all__ = ["LabelingProjectStack", "ProjectStacks", "TeamSpec", "WorkforceStack", "add_project_stacks"]
