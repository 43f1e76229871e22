"""Collects, by reading the source, every event action and every error code the code can
write, so that tests can hold them against the label registry (archive/labels.py). Reading
the source rather than a list kept by hand: a new action or code without a label fails."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("archive", "ingest", "search", "retention", "signoff", "desk", "followups", "identity",
        "webhooks", "oversight", "web", "config")
CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
ACTION = re.compile(r"^[a-z][a-z0-9_]*$")
# Calls whose `action=` names a trail entry (the writer and the readers that write one).
ACTION_CALLS = {"event_append", "document_read", "case_file_read"}
# Module constants that list trail actions (the readers', the access report's).
TRAIL_SETS = {"READ_ACTIONS", "ACCESS_ACTIONS"}
# Helpers whose first argument is an error code (ingest/errors.py).
CODE_CALLS = {"refused", "failed", "transient"}
# Calls that record a code on a job (`code=`), besides raising an error class.
RECORDING_CALLS = {"job_finish", "job_retry_later", "_finish", "update"}


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _strings(node) -> set[str]:
    """The string constants an expression can evaluate to (constants, conditionals, tuples)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.BoolOp):
        return set().union(*(_strings(value) for value in node.values))
    return set()


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _assigned(tree, name: str) -> set[str]:
    """Every string assigned to a variable of this name anywhere in the module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    found |= _strings(node.value)
    return found


def event_actions() -> dict[str, set[str]]:
    """action -> files that write it (or list it in a module's set of trail actions)."""
    found: dict[str, set[str]] = {}
    for path in source_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.Set))
                    and any(isinstance(t, ast.Name) and (t.id in TRAIL_SETS
                                                         or t.id.endswith("_EVENTS"))
                            for t in node.targets)):
                for element in node.value.elts:
                    for value in _strings(element):
                        found.setdefault(value, set()).add(str(path.relative_to(ROOT)))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in ACTION_CALLS:
                continue
            for keyword in node.keywords:
                if keyword.arg not in ("action", "action__in"):
                    continue
                values = _strings(keyword.value)
                if isinstance(keyword.value, ast.Name):
                    values |= _assigned(tree, keyword.value.id)
                if isinstance(keyword.value, (ast.Tuple, ast.List, ast.Set)):
                    for element in keyword.value.elts:
                        values |= _strings(element)
                for value in values:
                    if ACTION.match(value):
                        found.setdefault(value, set()).add(str(path.relative_to(ROOT)))
    return found


def error_classes() -> set[str]:
    """Names of RegistraturError and of every class derived from it, across the apps."""
    bases: dict[str, set[str]] = {}
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(_name(base) for base in node.bases)
    known = {"RegistraturError"}
    while True:
        more = {name for name, parents in bases.items() if parents & known} - known
        if not more:
            return known
        known |= more


def error_codes() -> dict[str, set[str]]:
    """code -> files that raise or record it."""
    found: dict[str, set[str]] = {}
    recorders = error_classes() | RECORDING_CALLS | {""}  # "": a class looked up by name

    def add(values, path):
        for value in values:
            if CODE.match(value):
                found.setdefault(value, set()).add(str(path.relative_to(ROOT)))

    for path in source_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if any(name == "code" or name.endswith("_code") for name in names):
                    add(_strings(node.value), path)
                # ("HOTFOLDER_SYMLINK", "message") pairs kept as module constants
                value = node.value
                if (isinstance(value, ast.Tuple) and len(value.elts) == 2
                        and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                                for e in value.elts) and CODE.match(value.elts[0].value)
                        and " " in value.elts[1].value):
                    add({value.elts[0].value}, path)
            elif isinstance(node, ast.Call):
                if _name(node.func) in CODE_CALLS and node.args:
                    add(_strings(node.args[0]), path)
                if (_name(node.func) == "getattr" and len(node.args) == 3
                        and _strings(node.args[1]) == {"code"}):
                    add(_strings(node.args[2]), path)
                for keyword in node.keywords:
                    if keyword.arg in ("code", "error_code") and _name(node.func) in recorders:
                        add(_strings(keyword.value), path)
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple):
                # for key, code, message in (("pages_declared", "PAGES_DECLARED", ...), ...)
                names = [t.id if isinstance(t, ast.Name) else "" for t in node.target.elts]
                if "code" in names and isinstance(node.iter, (ast.Tuple, ast.List)):
                    position = names.index("code")
                    for row in node.iter.elts:
                        if isinstance(row, ast.Tuple) and len(row.elts) > position:
                            add(_strings(row.elts[position]), path)
            elif isinstance(node, ast.Tuple) and len(node.elts) == 4 and _strings(
                    node.elts[0]) == {"error"}:
                # ("error", kind, code, message) sent back by the ingest child process
                add(_strings(node.elts[2]), path)
    return found
