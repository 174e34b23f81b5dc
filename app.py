"""The CDK app: the bundled example labeling projects.

``make synth`` synthesizes them into ``cdk.out/`` without AWS credentials. Each stack is one labeling
project: buckets, a scoped execution role and the labeling job.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from groundtruth_cdk import (
    ContentClassifier,
    InlineManifest,
    Instructions,
    LabelingBuckets,
    LabelingJob,
    ManifestInput,
    StoppingConditions,
    TaskType,
    Workforce,
)


class StreetScenesStack(cdk.Stack):
    """Bounding boxes around vehicles, by Mechanical Turk workers; region-agnostic template."""

    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        buckets = LabelingBuckets(self, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
        LabelingJob(
            self,
            "Vehicles",
            task_type=TaskType.IMAGE_BOUNDING_BOX,
            buckets=buckets,
            workforce=Workforce.mechanical_turk(price_usd="0.036"),
            content_classifiers=[ContentClassifier.FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION],
            input=InlineManifest.from_s3_keys(
                buckets.input_bucket, [f"images/street-{n:03d}.jpg" for n in range(1, 4)]
            ),
            labels=["car", "truck", "bus", "bicycle"],
            instructions=Instructions(
                short="<p>Draw a tight box around every vehicle.</p>",
                full="<p>Include partly hidden vehicles. Skip reflections and pictures of vehicles.</p>",
            ),
            task_title="Draw boxes around vehicles",
            task_description="Draw a box around each car, truck, bus and bicycle in the street photo",
            task_keywords=["image", "bounding box", "vehicles"],
            workers_per_object=3,
            task_time_limit=cdk.Duration.minutes(5),
        )


class ProductReviewsStack(cdk.Stack):
    """Sentiment of product reviews, by a private work team given as a deploy-time parameter."""

    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        workteam = cdk.CfnParameter(
            self,
            "WorkteamArn",
            description="ARN of the private work team that labels the reviews",
            allowed_pattern=r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:workteam/private-crowd/.+",
        )
        buckets = LabelingBuckets(self, "Data", task_type=TaskType.TEXT_SINGLE_LABEL, input_prefix="reviews/")
        LabelingJob(
            self,
            "Sentiment",
            task_type=TaskType.TEXT_SINGLE_LABEL,
            buckets=buckets,
            workforce=Workforce.private_team(workteam.value_as_string),
            input=ManifestInput(f"s3://{buckets.input_bucket.bucket_name}/reviews/reviews.manifest"),
            labels=["positive", "neutral", "negative"],
            instructions=Instructions(
                short="<p>Choose the sentiment the review expresses about the product.</p>",
                full="<p>Judge the product, not the delivery. Mixed reviews are neutral.</p>",
            ),
            task_title="Review sentiment",
            task_description="What does the customer think of the product?",
            workers_per_object=3,
            stopping_conditions=StoppingConditions(max_percentage_labeled=100),
        )


def build_app(app: cdk.App | None = None) -> cdk.App:
    """Add the example stacks to ``app`` (default: a new ``cdk.App``) and return it."""
    app = app or cdk.App()
    StreetScenesStack(app, "GroundTruthExample-StreetScenes")
    ProductReviewsStack(app, "GroundTruthExample-ProductReviews", env=cdk.Environment(region="eu-west-1"))
    return app


if __name__ == "__main__":
    build_app().synth()
