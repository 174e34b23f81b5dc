"""``groundtruth plan``: what deploying a project will do, from its synthesized stack.

The project's stack is synthesized in-process (CDK's built-in template validation off) and read back:
the ``LabelingJobRequest`` of the ``Custom::LabelingJob`` resource with every deploy-time value shown as
a placeholder and the values the deploy-time handler fills in (the job name's hash, the S3 URIs of the
files it writes, its ownership tags) spelled out; every resource, grouped by the construct that makes
it; and every IAM statement of every role in the stack.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groundtruth_cdk.cli.cfn_render import TemplateRenderer, short_path
from groundtruth_cdk.cli.common import CliError, UsageError, resolve_project

if TYPE_CHECKING:
    import aws_cdk as cdk
    from constructs import Construct

    from groundtruth_cdk.project import Project

JOB_RESOURCE_TYPE = "Custom::LabelingJob"
#: The job name the deploy chooses: the prefix, then a hash of the request, the stack and the resource.
JOB_NAME_SUFFIX = "-<8 hex, chosen at deploy>"
#: What the handler writes under ``<ArtifactsS3Uri><job name>/`` and where each URI goes in the request
#: (``groundtruth_cdk/handlers/labeling_job``; a test keeps the two equal).
ARTIFACT_FILES: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("LabelCategoryConfig",), "label-categories.json", ("LabelCategoryConfigS3Uri",)),
    (("UiTemplate",), "template.liquid", ("HumanTaskConfig", "UiConfig", "UiTemplateS3Uri")),
    (("ManifestLines", "DataSetup"), "input.manifest", ("InputConfig", "DataSource", "S3DataSource", "ManifestS3Uri")),
)
#: The ownership tags the handler adds to the job.
STACK_ID_TAG = "groundtruth-cdk:stack-id"
LOGICAL_ID_TAG = "groundtruth-cdk:logical-id"
#: CreateLabelingJob's fields in the API's order (the request is shown in it).
REQUEST_ORDER = (
    "LabelingJobName",
    "LabelAttributeName",
    "InputConfig",
    "OutputConfig",
    "RoleArn",
    "LabelCategoryConfigS3Uri",
    "StoppingConditions",
    "LabelingJobAlgorithmsConfig",
    "HumanTaskConfig",
    "Tags",
)
#: Which property of a resource names the role it runs with.
ROLE_PROPERTIES = {"AWS::Lambda::Function": "Role", "AWS::StepFunctions::StateMachine": "RoleArn"}
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
LEGEND = (
    "<deploy-time: ...> is known once CloudFormation creates that resource; <AWS::AccountId> is the account you "
    "deploy with."
)


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``plan`` to the CLI."""
    parser = commands.add_parser(
        "plan",
        help="show the CreateLabelingJob request, the resources and the IAM permissions of a project",
        description="Synthesize one project's stack and show (1) the CreateLabelingJob request as the deploy will "
        "send it, with deploy-time values as placeholders, (2) the resources that will be created, grouped by "
        "construct, and (3) every IAM statement of the job's execution role and of the deploy-time handlers' roles.",
    )
    parser.add_argument("project", metavar="PROJECT", help="a project name (projects/<name>.yaml) or a file path")
    parser.add_argument(
        "--region",
        help="the region to plan for; default: the project's region (required when the project has none)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--dir", type=Path, default=Path("projects"), help="the folder of project files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the plan of ``args.project``."""
    from groundtruth_cdk.project import load_project

    path = resolve_project(args.project, args.dir)
    project = load_project(path)
    region = plan_region(project, args.region)
    document = make_plan(project, region)
    print(json.dumps(document, indent=2, ensure_ascii=False) if args.json else format_text(document))
    return 1 if document["errors"] else 0


def plan_region(project: Project, given: str | None) -> str:
    """The region to plan for: ``given`` (which must agree with the project's), else the project's."""
    from groundtruth_cdk import regions

    if given is None:
        if project.region is None:
            raise UsageError(
                f"{project.file} has no region (its template deploys to the region of your credentials): "
                "give --region, e.g. --region eu-west-1"
            )
        return project.region
    if not REGION_PATTERN.match(given):
        raise UsageError(f"--region: got {given!r}; give an AWS region name like eu-west-1")
    if project.region is not None and given != project.region:
        raise CliError(f"--region {given}: {project.file} deploys to {project.region} (its region)")
    if project.task_type.spec.lambda_suffix is not None and not regions.is_supported_region(given):
        raise CliError(f"--region: got {given!r}; {regions.SUPPORTED_REGIONS_TEXT}")
    return given


# -- building the plan ------------------------------------------------------------------------------


def make_plan(project: Project, region: str) -> dict[str, Any]:
    """Synthesize ``project``'s stack and describe it for ``region`` (a JSON-ready document)."""
    import aws_cdk as cdk

    from groundtruth_cdk.project.loader import chain
    from groundtruth_cdk.stacks import LabelingProjectStack

    with tempfile.TemporaryDirectory(prefix="groundtruth-plan-") as outdir:
        app = cdk.App(outdir=outdir, context=cdk_context(Path(project.file)), builtin_cloud_formation_validation=False)
        stack: LabelingProjectStack | None = None
        for member in chain(project):  # a project that follows another needs that project's stack too
            stack = LabelingProjectStack(app, member.stack_name, project=member, previous=stack)
        assert stack is not None
        paths, owners = _construct_paths(stack)
        assembly = app.synth()
        artifact = assembly.get_stack_by_name(stack.stack_name)
        template: dict[str, Any] = artifact.template
        messages = [
            {
                "level": str(message.level.value if hasattr(message.level, "value") else message.level).lower(),
                "path": short_path(message.id.lstrip("/"), stack.node.path) or stack.stack_name,
                "message": str(message.entry.data),
            }
            for message in artifact.messages
        ]
    renderer = TemplateRenderer(
        template, {lid: short for lid, (short, _) in paths.items()}, region, project.account, stack.stack_name
    )
    resources: dict[str, Any] = template.get("Resources", {})
    job_ids = [lid for lid, resource in resources.items() if resource.get("Type") == JOB_RESOURCE_TYPE]
    if len(job_ids) != 1:
        raise CliError(f"expected one {JOB_RESOURCE_TYPE} resource in {stack.stack_name}, found {len(job_ids)}")
    job_id = job_ids[0]
    properties = resources[job_id]["Properties"]
    execution_role = _referenced_role(properties["LabelingJobRequest"].get("RoleArn"))
    return {
        "project": project.name,
        "file": project.file,
        "stack": stack.stack_name,
        "region": region,
        "region_agnostic": project.region is None,
        "account": project.account,
        "request": deploy_time_request(properties, job_id, renderer),
        "resources": _resource_groups(resources, paths, owners),
        "iam": _iam_roles(resources, renderer, job_id, execution_role),
        "warnings": [m for m in messages if m["level"] == "warning"],
        "errors": [m for m in messages if m["level"] == "error"],
    }


def cdk_context(project_file: Path) -> dict[str, Any]:
    """The ``context`` of the app's ``cdk.json`` (nearest to the project file), so the plan synthesizes as
    ``cdk deploy`` does; empty when there is none."""
    for folder in (project_file.resolve().parent, *project_file.resolve().parents):
        candidate = folder / "cdk.json"
        if candidate.is_file():
            try:
                context = json.loads(candidate.read_text(encoding="utf-8")).get("context", {})
            except (OSError, ValueError, AttributeError) as error:
                raise CliError(f"{candidate} cannot be read: {error}") from None
            return dict(context) if isinstance(context, dict) else {}
    return {}


def _construct_paths(stack: cdk.Stack) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """logical id → (short path, full path), and logical id → (owning construct's short path, its class)."""
    import aws_cdk as cdk

    paths: dict[str, tuple[str, str]] = {}
    owners: dict[str, tuple[str, str]] = {}
    for element in stack.node.find_all():
        if not isinstance(element, cdk.CfnElement):
            continue
        logical_id = stack.get_logical_id(element)
        paths[logical_id] = (short_path(element.node.path, stack.node.path), element.node.path)
        if isinstance(element, cdk.CfnResource):
            owners[logical_id] = _owner(element, stack)
    return paths, owners


def _owner(element: Construct, stack: cdk.Stack) -> tuple[str, str]:
    """The innermost construct of this library that holds ``element`` (else its top-level construct)."""
    scopes = element.node.scopes
    below_stack = scopes[scopes.index(stack) + 1 : -1] if stack in scopes else scopes[:-1]
    for scope in reversed(below_stack):
        if type(scope).__module__.startswith("groundtruth_cdk."):
            return short_path(scope.node.path, stack.node.path), type(scope).__name__
    top = below_stack[0] if below_stack else element
    return short_path(top.node.path, stack.node.path), type(top).__name__


def deploy_time_request(properties: Mapping[str, Any], job_id: str, renderer: TemplateRenderer) -> dict[str, Any]:
    """The CreateLabelingJob request the handler sends: the template's request rendered, plus what it fills in."""
    request: dict[str, Any] = renderer.render(properties["LabelingJobRequest"])
    job_name = f"{request['LabelingJobName']}{JOB_NAME_SUFFIX}"
    request["LabelingJobName"] = job_name
    artifacts = renderer.text(properties.get("ArtifactsS3Uri", "<artifacts>"))
    folder = f"{artifacts if artifacts.endswith('/') else artifacts + '/'}{job_name}/"
    for property_names, file_name, request_path in ARTIFACT_FILES:
        if any(properties.get(name) is not None for name in property_names):
            node = request
            for key in request_path[:-1]:
                node = node.setdefault(key, {})
            node[request_path[-1]] = folder + file_name
    tags = [tag for tag in request.get("Tags", []) if tag.get("Key") not in (STACK_ID_TAG, LOGICAL_ID_TAG)]
    request["Tags"] = [
        *tags,
        {"Key": STACK_ID_TAG, "Value": "<AWS::StackId>"},
        {"Key": LOGICAL_ID_TAG, "Value": job_id},
    ]
    ordered = {key: request[key] for key in REQUEST_ORDER if key in request}
    return {**ordered, **{key: value for key, value in request.items() if key not in ordered}}


def _referenced_role(value: Any) -> str | None:
    """The logical id of the role whose ARN ``value`` is (``{"Fn::GetAtt": [id, "Arn"]}``)."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        logical_id, attribute = target.split(".", 1) if isinstance(target, str) else target
        if attribute == "Arn":
            return str(logical_id)
    return None


def _resource_groups(
    resources: Mapping[str, Any], paths: Mapping[str, tuple[str, str]], owners: Mapping[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    """The template's resources, grouped by the construct that makes them."""
    groups: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        group_path, construct = owners.get(logical_id, ("(other)", ""))
        group = groups.setdefault(group_path, {"group": group_path, "construct": construct, "resources": []})
        group["resources"].append(
            {
                "type": resource.get("Type"),
                "logical_id": logical_id,
                "path": paths.get(logical_id, (logical_id, logical_id))[1],
            }
        )
    return list(groups.values())


def _iam_roles(
    resources: Mapping[str, Any], renderer: TemplateRenderer, job_id: str, execution_role: str | None
) -> list[dict[str, Any]]:
    """Every role of the template with its statements; the execution role first."""
    roles = [lid for lid, resource in resources.items() if resource.get("Type") == "AWS::IAM::Role"]
    used_by: dict[str, list[str]] = {lid: [] for lid in roles}
    for logical_id, resource in resources.items():
        key = ROLE_PROPERTIES.get(resource.get("Type", ""))
        role = _referenced_role(resource.get("Properties", {}).get(key)) if key else None
        if role in used_by:
            used_by[role].append(renderer.describe(logical_id))
    if execution_role in used_by:
        used_by[execution_role].append(f"{renderer.describe(job_id)} (SageMaker runs the job with it)")
    result = []
    for role_id in sorted(roles, key=lambda lid: (lid != execution_role, roles.index(lid))):
        properties = resources[role_id].get("Properties", {})
        statements: list[dict[str, Any]] = []
        for policy in properties.get("Policies", []):
            statements += _statements(policy.get("PolicyDocument", {}), str(policy.get("PolicyName")), renderer)
        for policy_id, resource in resources.items():
            attached = resource.get("Properties", {}).get("Roles", [])
            if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and {"Ref": role_id} in attached:
                document = resource["Properties"].get("PolicyDocument", {})
                statements += _statements(document, renderer.paths.get(policy_id, policy_id), renderer)
        entry: dict[str, Any] = {
            "role": renderer.paths.get(role_id, role_id),
            "logical_id": role_id,
            "kind": "execution role" if role_id == execution_role else "handler role",
            "description": properties.get("Description"),
            "assumed_by": _principals(properties.get("AssumeRolePolicyDocument", {}), renderer),
            "used_by": used_by[role_id],
            "managed_policies": [renderer.text(arn) for arn in properties.get("ManagedPolicyArns", [])],
            "statements": statements,
        }
        if "PermissionsBoundary" in properties:
            entry["permissions_boundary"] = renderer.text(properties["PermissionsBoundary"])
        result.append(entry)
    return result


def _as_list(value: Any) -> list[Any]:
    """``value`` as a list (IAM documents allow a single item instead)."""
    return value if isinstance(value, list) else [value]


def _statements(document: Mapping[str, Any], policy: str, renderer: TemplateRenderer) -> list[dict[str, Any]]:
    """The statements of a policy document, rendered."""
    statements = []
    for statement in _as_list(document.get("Statement", [])):
        entry: dict[str, Any] = {"policy": policy, "sid": statement.get("Sid"), "effect": statement.get("Effect")}
        for key, name in (("Action", "actions"), ("NotAction", "not_actions")):
            if key in statement:
                entry[name] = [renderer.text(action) for action in _as_list(statement[key])]
        for key, name in (("Resource", "resources"), ("NotResource", "not_resources")):
            if key in statement:
                entry[name] = [renderer.text(resource) for resource in _as_list(renderer.render(statement[key]))]
        entry["conditions"] = renderer.render(statement.get("Condition", {}))
        statements.append(entry)
    return statements


def _principals(document: Mapping[str, Any], renderer: TemplateRenderer) -> list[str]:
    """Who may assume a role (its trust policy's principals)."""
    principals: list[str] = []
    for statement in _as_list(document.get("Statement", [])):
        for value in (statement.get("Principal") or {}).values():
            principals += [renderer.text(item) for item in _as_list(value)]
    return principals


# -- text ----------------------------------------------------------------------------------------


def format_text(document: Mapping[str, Any]) -> str:
    """The plan as text for people: the request (JSON), the resources, the IAM permissions, any warnings."""
    region = document["region"]
    if document["region_agnostic"]:
        region += " (the template is region-agnostic: planned for this region)"
    account = document["account"] or "the one you deploy with"
    lines = [
        f"Plan of project {document['project']} ({document['file']}): stack {document['stack']}",
        f"Region {region}; account {account}.",
        "",
        "1. The CreateLabelingJob request, as the deploy sends it",
        f"   {LEGEND}",
        "",
        *("   " + line for line in json.dumps(document["request"], indent=2, ensure_ascii=False).splitlines()),
        "",
    ]
    every = [resource for group in document["resources"] for resource in group["resources"]]
    type_width = max((len(str(r["type"])) for r in every), default=0)
    id_width = max((len(r["logical_id"]) for r in every), default=0)
    lines.append(f"2. The resources it creates ({len(every)}), by construct")
    for group in document["resources"]:
        lines.append(f"   {group['group']} ({group['construct']})" if group["construct"] else f"   {group['group']}")
        for resource in group["resources"]:
            lines.append(
                f"     {resource['type']:<{type_width}}  {resource['logical_id']:<{id_width}}  {resource['path']}"
            )
    lines += ["", f"3. IAM permissions ({len(document['iam'])} roles)"]
    for role in document["iam"]:
        lines += _role_lines(role)
    if document["warnings"] or document["errors"]:
        lines += ["", "Synthesis messages"]
        for message in [*document["errors"], *document["warnings"]]:
            lines.append(f"   {message['level']}: {message['path']}: {message['message']}")
    return "\n".join(lines)


def _role_lines(role: Mapping[str, Any]) -> list[str]:
    """One role and its statements as text."""
    title = role["description"] or ""
    heading = f"   {role['kind'].capitalize()} {role['role']} ({role['logical_id']})" + (f": {title}" if title else "")
    lines = ["", heading]
    if role["assumed_by"]:
        lines.append(f"     assumed by {', '.join(role['assumed_by'])}")
    if role["used_by"]:
        lines.append(f"     used by {'; '.join(role['used_by'])}")
    for arn in role["managed_policies"]:
        lines.append(f"     managed policy {arn}")
    if "permissions_boundary" in role:
        lines.append(f"     permissions boundary {role['permissions_boundary']}")
    if not role["statements"] and not role["managed_policies"]:
        lines.append("     (no permissions)")
    for statement in role["statements"]:
        actions = statement.get("actions") or [f"everything except {a}" for a in statement.get("not_actions", [])]
        sid = f"  [{statement['sid']}]" if statement["sid"] else ""
        lines.append(f"     {statement['effect']} {', '.join(actions)}{sid}")
        targets = statement.get("resources") or [f"everything except {r}" for r in statement.get("not_resources", [])]
        for index, target in enumerate(targets):
            lines.append(f"       {'on' if index == 0 else '  '} {target}")
        for operator, condition in statement["conditions"].items():
            for key, value in condition.items():
                shown = ", ".join(str(v) for v in _as_list(value))
                lines.append(f"       if {operator} {key} = {shown}")
    return lines
