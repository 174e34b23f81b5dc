"""Automated data labeling on the construct side: the request's algorithms config, the role, every synth error."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms

from groundtruth_cdk import (
    AutoLabeling,
    AutoLabelingVpc,
    DataType,
    InlineManifest,
    LabelingBuckets,
    LabelingJobRole,
    ManifestInput,
    PreviousJobOutput,
    S3Data,
    Streaming,
    TaskType,
)
from tests.builders import (
    ACCOUNT,
    acknowledged_rules,
    actions_of,
    add_job,
    all_statements,
    flat,
    job_error,
    job_properties,
    stack,
    statements,
    synthesized,
)

MODEL = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/vehicles-final-model"
VOLUME_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")
GROUP = "sg-0123456789abcdef0"
MANIFEST = ManifestInput("s3://data-bucket/vehicles.manifest")
EC2 = f"arn:<AWS::Partition>:ec2:us-east-1:{ACCOUNT}"
ALGORITHM = "arn:<AWS::Partition>:sagemaker:{region}:027400017018:labeling-job-algorithm-specification/{name}"
FULL = AutoLabeling(
    initial_model=MODEL,
    volume_kms_key_arn=VOLUME_KEY,
    vpc=AutoLabelingVpc(subnet_ids=SUBNETS, security_group_ids=(GROUP,)),
)


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    """One job with every auto-labeling option, and two jobs sharing one LabelingJobRole."""
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
    add_job(scope, buckets=buckets, input=MANIFEST, auto_labeling=FULL)
    shared = LabelingJobRole(scope, "SharedRole", buckets=buckets)
    for id in ("A", "B"):
        add_job(
            scope,
            id,
            buckets=buckets,
            role=shared,
            input=S3Data(buckets.input_bucket, "images/", data_type=DataType.IMAGE),
            auto_labeling=AutoLabeling(),
        )
    return synthesized(scope)


def test_request_has_the_algorithm_the_initial_model_the_volume_key_and_the_vpc(full: dict[str, Any]) -> None:
    request = job_properties(full, "Job")["LabelingJobRequest"]
    assert request["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": ALGORITHM.format(region="us-east-1", name="object-detection"),
        "InitialActiveLearningModelArn": MODEL,
        "LabelingJobResourceConfig": {
            "VolumeKmsKeyId": VOLUME_KEY,
            "VpcConfig": {"SecurityGroupIds": [GROUP], "Subnets": list(SUBNETS)},
        },
    }
    assert "FollowsJob" not in job_properties(full, "Job")


def test_without_options_only_the_algorithm_is_requested(full: dict[str, Any]) -> None:
    request = job_properties(full, "A")["LabelingJobRequest"]
    assert request["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": ALGORITHM.format(region="us-east-1", name="object-detection")
    }


def test_data_found_at_deploy_is_counted_against_the_auto_labeling_minimum(full: dict[str, Any]) -> None:
    setup = json.loads(job_properties(full, "A")["DataSetup"])
    assert (setup["MinObjects"], setup["RecommendedObjects"]) == (1250, 5000)


def test_the_role_may_pass_itself_to_sagemaker(full: dict[str, Any]) -> None:
    passes = [s for s in statements(full, "JobRoleDefaultPolicy") if s.get("Sid") == "PassItselfToAutoLabeling"]
    assert passes == [
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": "<JobRole91B66391.Arn>",
            "Sid": "PassItselfToAutoLabeling",
        }
    ]


def test_a_shared_role_passes_itself_once_for_two_jobs(full: dict[str, Any]) -> None:
    shared = statements(full, "SharedRoleDefaultPolicy")
    passes = [s for s in shared if "iam:PassRole" in actions_of(s)]
    assert len(passes) == 1
    assert passes[0]["Resource"].startswith("<SharedRole")
    assert not [s for s in shared if any(a.startswith(("kms:", "ec2:")) for a in actions_of(s))]


def test_create_grant_is_only_on_the_volume_key(full: dict[str, Any]) -> None:
    grants = [s for s in all_statements(full) if "kms:CreateGrant" in actions_of(s)]
    assert grants == [
        {
            "Action": [
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            "Effect": "Allow",
            "Resource": VOLUME_KEY,
        }
    ]


def test_the_role_may_attach_jobs_to_the_given_subnets_and_security_groups(full: dict[str, Any]) -> None:
    ec2_statements = [s for s in statements(full, "JobRoleDefaultPolicy") if actions_of(s)[0].startswith("ec2:")]
    subnets = [f"{EC2}:subnet/{subnet}" for subnet in SUBNETS]
    assert ec2_statements == [
        {
            "Action": [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            "Effect": "Allow",
            "Resource": "*",
        },
        {
            "Action": "ec2:CreateNetworkInterface",
            "Effect": "Allow",
            "Resource": [*subnets, f"{EC2}:security-group/{GROUP}"],
        },
        {
            "Action": "ec2:CreateNetworkInterface",
            "Effect": "Allow",
            "Resource": f"{EC2}:network-interface/*",
        },
        {
            "Action": [
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            "Condition": {"ArnEquals": {"ec2:Subnet": subnets}},
            "Effect": "Allow",
            "Resource": f"{EC2}:network-interface/*",
        },
    ]


def test_only_the_network_interface_wildcard_of_the_vpc_statements_is_acknowledged() -> None:
    job = add_job(stack(), input=MANIFEST, auto_labeling=FULL)
    ec2_acknowledged = sorted(rule for rule in acknowledged_rules(job.role) if ":ec2:" in rule)
    assert ec2_acknowledged == [f"AwsSolutions-IAM5[Resource::{EC2}:network-interface/*]"]


@pytest.mark.parametrize(
    ("task_type", "algorithm"),
    [
        (TaskType.IMAGE_BOUNDING_BOX, "object-detection"),
        (TaskType.IMAGE_SINGLE_LABEL, "image-classification"),
        (TaskType.IMAGE_SEMANTIC_SEGMENTATION, "semantic-segmentation"),
        (TaskType.TEXT_SINGLE_LABEL, "text-classification"),
    ],
)
def test_each_task_type_with_auto_labeling_gets_its_algorithm_in_the_region(
    task_type: TaskType, algorithm: str
) -> None:
    scope = stack("eu-west-1")
    job = add_job(scope, task_type=task_type, input=MANIFEST, auto_labeling=AutoLabeling())
    assert flat(scope, job.request)["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": ALGORITHM.format(region="eu-west-1", name=algorithm)
    }


def test_a_region_agnostic_stack_takes_the_region_at_deploy() -> None:
    scope = stack(region=None, account=None)
    job = add_job(scope, input=MANIFEST, auto_labeling=AutoLabeling())
    assert flat(scope, job.request)["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": ALGORITHM.format(region="<AWS::Region>", name="object-detection")
    }


def test_vpc_from_constructs_takes_the_ids_of_a_vpcs_subnets_and_groups() -> None:
    scope = stack()
    vpc = ec2.Vpc(
        scope,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
        ],
    )
    group = ec2.SecurityGroup(scope, "Jobs", vpc=vpc, allow_all_outbound=True)
    vpc_config = AutoLabelingVpc.from_constructs(subnets=vpc.isolated_subnets, security_groups=[group])
    assert len(vpc_config.subnet_ids) == 2
    job = add_job(scope, input=MANIFEST, auto_labeling=AutoLabeling(vpc=vpc_config))
    template = synthesized(scope)
    subnet_refs = [flat(scope, subnet.subnet_id) for subnet in vpc.isolated_subnets]
    assert all(ref.startswith("<VpcPrivateSubnet") for ref in subnet_refs)
    assert flat(scope, group.security_group_id).startswith("<Jobs")
    assert flat(scope, job.request)["LabelingJobAlgorithmsConfig"]["LabelingJobResourceConfig"] == {
        "VpcConfig": {"SecurityGroupIds": [flat(scope, group.security_group_id)], "Subnets": subnet_refs}
    }
    (interfaces,) = [
        s for s in statements(template, "JobRoleDefaultPolicy") if "ec2:DeleteNetworkInterface" in actions_of(s)
    ]
    assert interfaces["Condition"] == {"ArnEquals": {"ec2:Subnet": [f"{EC2}:subnet/{ref}" for ref in subnet_refs]}}


def test_create_grant_is_never_on_the_bucket_or_output_keys() -> None:
    scope = stack()
    bucket_key = kms.Key(scope, "BucketKey", enable_key_rotation=True)
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, encryption_key=bucket_key)
    output_key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
    add_job(
        scope,
        buckets=buckets,
        input=MANIFEST,
        output_kms_key_arn=output_key,
        auto_labeling=AutoLabeling(volume_kms_key_arn=VOLUME_KEY),
    )
    keys = {
        s["Resource"]: actions_of(s)
        for s in statements(synthesized(scope), "JobRoleDefaultPolicy")
        if "kms:CreateGrant" in actions_of(s)
    }
    assert list(keys) == [VOLUME_KEY]


def test_an_initial_model_from_a_previous_job_makes_the_job_wait_for_its_final_model() -> None:
    scope = stack()
    first = add_job(scope, "First", input=MANIFEST, auto_labeling=AutoLabeling())
    second = add_job(
        scope, "Second", input=MANIFEST, auto_labeling=AutoLabeling(initial_model=PreviousJobOutput.of(first))
    )
    template = synthesized(scope)
    properties = job_properties(template, "Second")
    assert properties["FollowsJob"] == {
        "LabelingJobNamePrefix": "test-first",
        "UseOutputManifest": False,
        "UseFinalModel": True,
    }
    assert properties["LabelingJobRequest"]["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": ALGORITHM.format(region="us-east-1", name="object-detection")
    }
    assert properties["LabelingJobRequest"]["InputConfig"]["DataSource"] == {
        "S3DataSource": {"ManifestS3Uri": MANIFEST.s3_uri}
    }
    assert second.chain is not None


def test_the_initial_model_may_be_given_as_the_earlier_labeling_job_itself() -> None:
    scope = stack()
    first = add_job(scope, "First", input=MANIFEST, auto_labeling=AutoLabeling())
    second = add_job(scope, "Second", input=MANIFEST, auto_labeling=AutoLabeling(initial_model=first))
    assert job_properties(synthesized(scope), "Second")["FollowsJob"] == {
        "LabelingJobNamePrefix": "test-first",
        "UseOutputManifest": False,
        "UseFinalModel": True,
    }
    assert second.chain is not None


def test_an_initial_model_from_the_job_whose_output_is_labeled_again() -> None:
    scope = stack()
    first = add_job(scope, "First", input=MANIFEST, auto_labeling=AutoLabeling())
    previous = PreviousJobOutput.of(first)
    add_job(scope, "Second", input=previous, auto_labeling=AutoLabeling(initial_model=previous))
    properties = job_properties(synthesized(scope), "Second")
    assert properties["FollowsJob"] == {
        "LabelingJobNamePrefix": "test-first",
        "UseOutputManifest": True,
        "UseFinalModel": True,
    }


# -- synth errors ----------------------------------------------------------------------------------------


def _vpc(subnets: tuple[str, ...] = SUBNETS, groups: tuple[str, ...] = (GROUP,)) -> AutoLabeling:
    return AutoLabeling(vpc=AutoLabelingVpc(subnet_ids=subnets, security_group_ids=groups))


def _subnets(count: int) -> tuple[str, ...]:
    return tuple(f"subnet-{n:017x}" for n in range(count))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"task_type": TaskType.IMAGE_MULTI_LABEL, "auto_labeling": AutoLabeling()},
            "auto_labeling: got 'Image: classification (multi-label)'; automated data labeling is available for "
            "image-bounding-box, image-single-label, image-semantic-segmentation, text-single-label only",
        ),
        (
            {"input": None, "streaming": Streaming(), "auto_labeling": AutoLabeling()},
            "auto_labeling: got 'given'; a streaming job runs until it is stopped: automated data labeling is not "
            "available for it",
        ),
        (
            {"auto_labeling": AutoLabeling(initial_model="vehicles-final-model")},
            "auto_labeling.initial_model: got 'vehicles-final-model'; a SageMaker model ARN (an earlier job's "
            "FinalActiveLearningModelArn) like arn:aws:sagemaker:<region>:<account>:model/<name>",
        ),
        (
            {"auto_labeling": AutoLabeling(initial_model=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/x")},
            "auto_labeling.initial_model: got 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/x'; a SageMaker "
            "model ARN",
        ),
        (
            {"auto_labeling": AutoLabeling(volume_kms_key_arn="alias/volumes")},
            "auto_labeling.volume_kms_key_arn: got 'alias/volumes'; a KMS key ARN like "
            "arn:aws:kms:<region>:<account>:key/<key id>",
        ),
        ({"auto_labeling": _vpc(subnets=())}, "auto_labeling.vpc.subnet_ids: got '0 IDs'; give 1-16"),
        ({"auto_labeling": _vpc(subnets=_subnets(17))}, "auto_labeling.vpc.subnet_ids: got '17 IDs'; give 1-16"),
        (
            {"auto_labeling": _vpc(groups=tuple(f"sg-{n:017x}" for n in range(6)))},
            "auto_labeling.vpc.security_group_ids: got '6 IDs'; give 1-5",
        ),
        (
            {"auto_labeling": _vpc(subnets=("subnet-XYZ",))},
            "auto_labeling.vpc.subnet_ids: got 'subnet-XYZ'; an ID like subnet-0123456789abcdef0",
        ),
        (
            {"auto_labeling": _vpc(groups=("default",))},
            "auto_labeling.vpc.security_group_ids: got 'default'; an ID like sg-0123456789abcdef0",
        ),
        (
            {"auto_labeling": _vpc(subnets=(SUBNETS[0], SUBNETS[0]))},
            f"auto_labeling.vpc.subnet_ids: got ['{SUBNETS[0]}', '{SUBNETS[0]}']; IDs must be unique",
        ),
        (
            {"auto_labeling": _vpc(groups=(GROUP, GROUP))},
            f"auto_labeling.vpc.security_group_ids: got ['{GROUP}', '{GROUP}']; IDs must be unique",
        ),
        (
            {"auto_labeling": AutoLabeling(initial_model=PreviousJobOutput("manual-job-1", auto_labeling=False))},
            "auto_labeling.initial_model: got 'manual-job-1'; that job used no automated data labeling, so it "
            "trained no model to start from",
        ),
        (
            {
                "input": PreviousJobOutput("first-job-1"),
                "labels": ["car", "bus"],
                "auto_labeling": AutoLabeling(initial_model=PreviousJobOutput("other-job-2", auto_labeling=True)),
            },
            "auto_labeling.initial_model: got 'other-job-2'; a job can wait for one earlier job only: start from the "
            "model of the job whose output it labels",
        ),
        (
            {"input": InlineManifest(tuple({"source-ref": f"s3://b/{n}.jpg"} for n in range(1249)))},
            "auto_labeling: got '1249 objects'; automated data labeling needs at least 1250 data objects",
        ),
    ],
    ids=[
        "task-type",
        "streaming",
        "model-name",
        "model-arn-of-another-resource",
        "volume-key",
        "no-subnets",
        "17-subnets",
        "6-security-groups",
        "subnet-id",
        "security-group-id",
        "duplicate-subnets",
        "duplicate-security-groups",
        "model-of-a-job-without-auto-labeling",
        "model-of-another-job",
        "inline-manifest-below-1250",
    ],
)
def test_synth_error(overrides: dict[str, Any], message: str) -> None:
    overrides = {"input": MANIFEST, "auto_labeling": AutoLabeling(), **overrides}
    assert message in job_error(**overrides)


def test_a_previous_job_of_this_app_without_auto_labeling_has_no_model() -> None:
    scope = stack()
    first = add_job(scope, "First")
    message = job_error(
        scope=scope, input=MANIFEST, auto_labeling=AutoLabeling(initial_model=PreviousJobOutput.of(first))
    )
    assert "that job used no automated data labeling, so it trained no model to start from" in message


def test_parameters_are_accepted_for_vpc_ids() -> None:
    scope = stack()
    subnet = cdk.CfnParameter(scope, "Subnet", type="AWS::EC2::Subnet::Id").value_as_string
    group = cdk.CfnParameter(scope, "Group", type="AWS::EC2::SecurityGroup::Id").value_as_string
    job = add_job(scope, input=MANIFEST, auto_labeling=_vpc(subnets=(subnet,), groups=(group,)))
    config = flat(scope, job.request)["LabelingJobAlgorithmsConfig"]["LabelingJobResourceConfig"]["VpcConfig"]
    assert config == {"SecurityGroupIds": ["<Group>"], "Subnets": ["<Subnet>"]}


def test_a_vpc_of_another_stack_is_imported() -> None:
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    network, jobs = cdk.Stack(app, "Network", env=env), cdk.Stack(app, "Jobs", env=env)
    vpc = ec2.Vpc(
        network,
        "Vpc",
        max_azs=1,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    group = ec2.SecurityGroup(network, "Group", vpc=vpc)
    vpc_config = AutoLabelingVpc.from_constructs(subnets=vpc.isolated_subnets, security_groups=[group])
    add_job(jobs, input=MANIFEST, auto_labeling=AutoLabeling(vpc=vpc_config))
    request = job_properties(synthesized(jobs), "Job")["LabelingJobRequest"]
    vpc_request = request["LabelingJobAlgorithmsConfig"]["LabelingJobResourceConfig"]["VpcConfig"]
    assert [set(value) for value in vpc_request["Subnets"] + vpc_request["SecurityGroupIds"]] == [
        {"Fn::ImportValue"},
        {"Fn::ImportValue"},
    ]


def test_imported_values_are_accepted_for_vpc_ids() -> None:
    scope = stack()
    vpc = _vpc(subnets=(cdk.Fn.import_value("PrivateSubnet"),), groups=(cdk.Fn.import_value("JobsGroup"),))
    job = add_job(scope, input=MANIFEST, auto_labeling=vpc)
    config = scope.resolve(job.request)["LabelingJobAlgorithmsConfig"]["LabelingJobResourceConfig"]["VpcConfig"]
    assert config == {
        "SecurityGroupIds": [{"Fn::ImportValue": "JobsGroup"}],
        "Subnets": [{"Fn::ImportValue": "PrivateSubnet"}],
    }
    (attach,) = [
        s
        for s in statements(synthesized(scope), "JobRoleDefaultPolicy")
        if actions_of(s) == ["ec2:CreateNetworkInterface"] and isinstance(s["Resource"], list)
    ]
    assert attach["Resource"] == [
        f"{EC2}:subnet/{{'Fn::ImportValue': 'PrivateSubnet'}}",
        f"{EC2}:security-group/{{'Fn::ImportValue': 'JobsGroup'}}",
    ]
