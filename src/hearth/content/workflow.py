"""State changes of variants and contractor tasks: who may do what, and the audit trail.

Pages and API call these; the caller owns the transaction (ARCHITECTURE rule 1). Every
change is written to the audit log with the state before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from hearth.audit import services as audit
from hearth.connectors import rules
from hearth.content.models import Comment, ContentItem, ContractorTask, Variant
from hearth.content.slots import next_free_slot
from hearth.workspaces.roles import Capability, Role

VS = Variant.Status
TS = ContractorTask.Status
# States the engine owns; nothing here edits a variant once it reached one of them.
FINAL_STATES = {VS.PUBLISHING, VS.PUBLISHED, VS.FAILED, VS.MISSED, VS.UNCONFIRMED}
EDITABLE_FIELDS = ("text", "title", "link", "hashtags", "first_comment", "planned_at")


def is_contractor(access) -> bool:
    return access.role == Role.CONTRACTOR


def visible_items(access, project):
    """Items the member may see: all with VIEW; a contractor only their own and their tasks'."""
    items = ContentItem.objects.filter(project=project)
    if access.can(Capability.VIEW):
        return items
    if access.can(Capability.DRAFT_CONTENT):
        user = access.membership.user
        return items.filter(Q(author=user) | Q(task__assignee=user))
    return items.none()


def visible_tasks(access, project):
    tasks = ContractorTask.objects.filter(project=project)
    if access.can(Capability.VIEW):
        return tasks
    return tasks.filter(assignee=access.membership.user)


def _require_draft_rights(access, item: ContentItem) -> None:
    access.require(Capability.DRAFT_CONTENT)
    if is_contractor(access) and not visible_items(access, item.project).filter(pk=item.pk):
        raise PermissionDenied("contractors edit only their own drafts")


def _log(access, user, action: str, obj, before: dict, after: dict) -> None:
    audit.record(access.workspace, user, action, obj, before=before, after=after)


def _state(variant: Variant) -> dict:
    return audit.snapshot(variant, ["status", "scheduled_at", "approved_by", "client_approved_by"])


def blocking_problems(variant: Variant) -> list[rules.Problem]:
    """Errors that stop a variant from being submitted: every error ``rules.validate``
    finds, media included (attach images from the project's media library)."""
    problems = rules.validate(variant.channel.network, variant.draft())
    return [p for p in problems if p.severity == "error"]


def set_media(access, user, variant: Variant, assets) -> Variant:
    """Attach library images to a variant (an edit: a submitted variant returns to draft)."""
    _require_draft_rights(access, variant.item)
    if variant.status in FINAL_STATES:
        raise ValidationError("a published or failed post can't be edited")
    if any(a.project_id != variant.item.project_id for a in assets):
        raise PermissionDenied("media of another project")
    before = _state(variant)
    variant.media.set(assets)
    if variant.status != VS.DRAFT:
        variant.status = VS.DRAFT
        variant.approved_by = variant.client_approved_by = None
        variant.scheduled_at = None
        variant.save()
    _log(
        access,
        user,
        "variant.media",
        variant,
        before,
        _state(variant) | {"media": [a.pk for a in assets]},
    )
    return variant


def update_variant(access, user, variant: Variant, **changes) -> Variant:
    """Edit a variant. An edit after submission sends it back to draft: approvals were for
    the old text."""
    _require_draft_rights(access, variant.item)
    if variant.status in FINAL_STATES:
        raise ValidationError("a published or failed post can't be edited")
    before = _state(variant)
    changed = False
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"not an editable field: {name}")
        if getattr(variant, name) != value:
            setattr(variant, name, value)
            changed = True
    if not changed:
        return variant
    if "text" in changes:
        variant.diverged = variant.text != variant.item.master_text
    if variant.status != VS.DRAFT:
        variant.status = VS.DRAFT
        variant.approved_by = variant.client_approved_by = None
        variant.scheduled_at = None
    variant.save()
    _log(access, user, "variant.edit", variant, before, _state(variant))
    return variant


def submit(access, user, variant: Variant) -> Variant:
    _require_draft_rights(access, variant.item)
    if variant.status != VS.DRAFT:
        raise ValidationError(f"only a draft can be submitted (this one is {variant.status})")
    problems = blocking_problems(variant)
    if problems:
        raise ValidationError([p.text for p in problems])
    before = _state(variant)
    variant.status = VS.SUBMITTED
    variant.save(update_fields=["status", "updated_at"])
    _log(access, user, "variant.submit", variant, before, _state(variant))
    return variant


def approve(access, user, variant: Variant) -> Variant:
    """A manager approves; where the channel requires it a client approves too (any order)."""
    access.require(Capability.APPROVE_CONTENT)
    if variant.status != VS.SUBMITTED:
        raise ValidationError(
            f"only a submitted post can be approved (this one is {variant.status})"
        )
    before = _state(variant)
    if access.role == Role.CLIENT:
        variant.client_approved_by = user
    else:
        variant.approved_by = user
    client_ok = not variant.channel.requires_client_approval or variant.client_approved_by_id
    if variant.approved_by_id and client_ok:
        variant.status = VS.APPROVED
    variant.save()
    _log(access, user, "variant.approve", variant, before, _state(variant))
    return variant


def request_changes(access, user, variant: Variant, comment: str) -> Variant:
    access.require(Capability.APPROVE_CONTENT)
    if variant.status not in {VS.SUBMITTED, VS.APPROVED, VS.SCHEDULED}:
        raise ValidationError("only a submitted, approved or scheduled post can be sent back")
    if not comment.strip():
        raise ValidationError("say what should change")
    before = _state(variant)
    variant.status = VS.DRAFT
    variant.approved_by = variant.client_approved_by = None
    variant.scheduled_at = None
    variant.save()
    Comment.objects.create(item=variant.item, author=user, body=comment.strip())
    _log(access, user, "variant.request_changes", variant, before, _state(variant))
    return variant


def schedule(access, user, variant: Variant, when: datetime, *, now: datetime | None = None):
    """Schedule (or reschedule) an approved variant at ``when`` (aware; stored in UTC)."""
    access.require(Capability.SCHEDULE_CONTENT)
    if variant.status not in {VS.APPROVED, VS.SCHEDULED}:
        raise ValidationError("only an approved post can be scheduled")
    if when.tzinfo is None:
        raise ValidationError("the time must carry its time zone")
    if when <= (now or timezone.now()):
        raise ValidationError("the time is in the past")
    before = _state(variant)
    variant.status = VS.SCHEDULED
    variant.scheduled_at = when.astimezone(UTC)
    variant.save()
    action = "variant.reschedule" if before["status"] == VS.SCHEDULED else "variant.schedule"
    _log(access, user, action, variant, before, _state(variant))
    return variant


def unschedule(access, user, variant: Variant) -> Variant:
    access.require(Capability.SCHEDULE_CONTENT)
    if variant.status != VS.SCHEDULED:
        raise ValidationError("the post is not scheduled")
    before = _state(variant)
    variant.status, variant.scheduled_at = VS.APPROVED, None
    variant.save()
    _log(access, user, "variant.unschedule", variant, before, _state(variant))
    return variant


def add_to_queue(access, user, variant: Variant, *, now: datetime | None = None) -> Variant:
    """Schedule at the channel's next free posting slot."""
    access.require(Capability.SCHEDULE_CONTENT)
    now = now or timezone.now()
    channel = variant.channel
    taken = channel.variants.filter(scheduled_at__isnull=False).exclude(pk=variant.pk)
    when = next_free_slot(
        channel.slot_list(), channel.zone, now, taken.values_list("scheduled_at", flat=True)
    )
    if when is None:
        raise ValidationError("the channel has no free posting slot: add slots first")
    return schedule(access, user, variant, when, now=now)


# --- contractor tasks -----------------------------------------------------------------------

# action: (from states, to state, who) — "manager" needs MANAGE_CONTRACTORS, "assignee" is the
# contractor the task was given to.
TASK_ACTIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "approve_spec": (frozenset({TS.SPEC}), TS.SPEC_APPROVED, "manager"),
    "start": (frozenset({TS.SPEC_APPROVED}), TS.IN_WORK, "assignee"),
    "submit": (frozenset({TS.IN_WORK, TS.REVISION_REQUESTED}), TS.SUBMITTED, "assignee"),
    "request_revision": (frozenset({TS.SUBMITTED}), TS.REVISION_REQUESTED, "manager"),
    "approve": (frozenset({TS.SUBMITTED}), TS.APPROVED, "manager"),
    "pay": (frozenset({TS.APPROVED}), TS.PAID, "manager"),
}


def allowed_task_actions(access, user, task: ContractorTask) -> list[str]:
    out = []
    for action, (sources, _target, who) in TASK_ACTIONS.items():
        if task.status not in sources:
            continue
        if (who == "manager" and access.can(Capability.MANAGE_CONTRACTORS)) or (
            who == "assignee" and task.assignee_id == user.pk
        ):
            out.append(action)
    return out


def move_task(access, user, task: ContractorTask, action: str, comment: str = "", *, now=None):
    if action not in TASK_ACTIONS:
        raise ValidationError(f"unknown action {action!r}")
    sources, target, who = TASK_ACTIONS[action]
    if who == "manager":
        access.require(Capability.MANAGE_CONTRACTORS)
    elif task.assignee_id != user.pk:
        raise PermissionDenied("only the contractor the task was given to can do this")
    if task.status not in sources:
        raise ValidationError(f"can't {action.replace('_', ' ')} a task in state {task.status}")
    if action == "request_revision" and not comment.strip():
        raise ValidationError("say what should be revised")
    now = now or timezone.now()
    before = audit.snapshot(task, ["status", "revisions"])
    task.status = target
    if action == "submit" and task.first_submitted_at is None:
        task.first_submitted_at = now
    if action == "request_revision":
        task.revisions += 1
    if action == "approve":
        task.approved_at = now
    task.save()
    if comment.strip():
        Comment.objects.create(task=task, author=user, body=comment.strip())
    after = audit.snapshot(task, ["status", "revisions"])
    audit.record(access.workspace, user, f"task.{action}", task, before=before, after=after)
    return task
