"""docs/import-format.md is generated from graph/model.py (graph/import_format.py) and cannot drift."""
from __future__ import annotations

from graph import import_format, model


def test_the_committed_page_is_what_the_model_gives():
    """If this fails, run: .venv/bin/python -m graph.import_format (and commit docs/import-format.md)."""
    assert import_format.TARGET.read_text(encoding="utf-8") == import_format.render()
    assert import_format.main(["--check"]) == 0


def test_every_label_relationship_and_property_is_on_the_page():
    page = import_format.render()
    for label, props in model.LABELS.items():
        section = page.split(f"### {label}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        for key, prop in props.items():
            row = next(line for line in section.splitlines() if line.startswith(f"| `{key}` |"))
            assert ("| yes |" in row) == prop.required
            assert all(f"`{choice}`" in row for choice in prop.choices)
    for rel_type, rel in model.RELATIONSHIPS.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{rel_type}` |"))
        assert all(label in row for label in rel.sources + rel.targets)
        assert all(f"`{key}`" in row for key in rel.props)


def test_each_kind_rule_is_the_models():
    used = {p.kind for props in model.LABELS.values() for p in props.values()} | \
        {p.kind for rel in model.RELATIONSHIPS.values() for p in rel.props.values()}
    assert used <= set(import_format.kinds()) == set(import_format.KIND_EXAMPLES)
    for kind, (good, bad) in import_format.KIND_EXAMPLES.items():
        prop = model.Prop(kind, choices=("department",) if kind == "enum" else
                          model.NATIONS if kind == "nations" else ())
        assert model.check_value(prop, good) is None, kind
        assert model.check_value(prop, bad) is not None, kind


def test_each_rule_across_fields_is_the_models():
    for _label, _text, record, field in import_format.CROSS_RULES:
        assert field in {p.field for p in model.validate_node(record)}
        assert record["label"] in model.LABELS
    for _types, _text, record, field in import_format.EDGE_RULES:
        assert field in {p.field for p in model.validate_edge(record)}
