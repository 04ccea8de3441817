"""The ticket lifecycle as a Mermaid diagram, generated from the transition table."""

from __future__ import annotations

from bot.core.ticket import ACTION_LABELS, STATUS_LABELS, TRANSITIONS, Status


def mermaid() -> str:
    lines = ["stateDiagram-v2"]
    for status in Status:
        lines.append(f"    {status.value}: {STATUS_LABELS[status]}")
    lines.append("    [*] --> new: 提交诉求")
    edges: dict[tuple[str, str], list[str]] = {}
    for (source, action), target in TRANSITIONS.items():
        if source == target:
            continue  # actions that keep the status (补充, 回复, 接收...) would only clutter the picture
        edges.setdefault((source.value, target.value), []).append(ACTION_LABELS[action])
    for (source, target), labels in edges.items():
        lines.append(f"    {source} --> {target}: {'/'.join(labels)}")
    lines.append("    rejected --> [*]")
    lines.append("    closed --> [*]")
    return "\n".join(lines)
