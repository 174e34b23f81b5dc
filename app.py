"""The CDK app: the bundled example labeling projects and the workforce they use.

``make synth`` synthesizes them into ``cdk.out/`` without AWS credentials. Each project stack is one
labeling project (buckets, a scoped execution role and the labeling job); the workforce stack owns the
region's private workforce and its teams.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from groundtruth_cdk import (
    ContentClassifier,
    DataType,
    InlineManifest,
    Instructions,
    LabelingBuckets,
    LabelingJob,
    S3Data,
    StoppingConditions,
    TaskType,
    Workforce,
)
from groundtruth_cdk.stacks import TeamSpec, WorkforceStack


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
    """Sentiment of product reviews found in S3 at deploy, labeled by a private team of the workforce stack."""

    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        buckets = LabelingBuckets(self, "Data", task_type=TaskType.TEXT_SINGLE_LABEL, input_prefix="reviews/")
        LabelingJob(
            self,
            "Sentiment",
            task_type=TaskType.TEXT_SINGLE_LABEL,
            buckets=buckets,
            workforce=Workforce.private_team_by_name("reviewers"),
            input=S3Data(
                buckets.input_bucket,
                "reviews/",
                data_type=DataType.TEXT,
                text_column="review",
                include=["*.csv"],
                sample_percent=20,
            ),
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
    europe = cdk.Environment(region="eu-west-1")
    StreetScenesStack(app, "GroundTruthExample-StreetScenes")
    workforce = WorkforceStack(
        app,
        "GroundTruthExample-Workforce-eu-west-1",
        env=europe,
        teams=[TeamSpec("reviewers", "Reads product reviews", members=["ana@example.com", "bo@example.com"])],
    )
    reviews = ProductReviewsStack(app, "GroundTruthExample-ProductReviews", env=europe)
    reviews.add_stack_dependency(workforce, "the project's team belongs to the workforce stack")
    return app


if __name__ == "__main__":
    build_app().synth()
