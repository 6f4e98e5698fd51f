"""The llama.cpp runtime: a portable build with no AMX, a crash-proof self-test, `coach doctor`.

The build checks read the installed native libraries, so they hold on any machine whatever
its own CPU: a build made with AMX contains AMX tile instructions even where they never run.
A compiled AMX snippet proves the scan can see them (a check that could not fail proves
nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coach.cli import main
from coach.errors import ProviderError
from coach.models import runtime_build, selftest

AMX_MNEMONICS = (
    "ldtilecfg", "sttilecfg", "tileloadd", "tileloaddt1", "tilestored", "tilezero",
    "tilerelease", "tdpbssd", "tdpbsud", "tdpbusd", "tdpbuud", "tdpbf16ps", "tdpfp16ps",
)
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def amx_instructions(library: Path) -> set[str]:
    """The AMX mnemonics found in a disassembly of ``library``."""
    listing = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(library)],
        capture_output=True, text=True, check=True,
    ).stdout
    found = set()
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and (word := parts[1].split(" ")[0].strip()) in AMX_MNEMONICS:
            found.add(word)
    return found


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        # The build itself needs binutils and gcc, so on CI their absence is a defect.
        if CI:
            pytest.fail(f"{tool} is missing; install binutils/gcc (they build llama.cpp too)")
        pytest.skip(f"{tool} is not installed")


def _installed_libraries() -> list[Path]:
    libraries = selftest.runtime_libraries()
    if not libraries:
        if CI:
            pytest.fail("llama-cpp-python is not installed; `make setup` installs it")
        pytest.skip("llama-cpp-python is not installed")
    return libraries


# -- the build flags ---------------------------------------------------------------------


def test_portable_flags_turn_native_avx512_and_amx_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_build.platform, "machine", lambda: "x86_64")
    flags = runtime_build.cmake_args("portable").split()
    for off in ("GGML_NATIVE", "GGML_AVX512", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"):
        assert f"-D{off}=OFF" in flags
    for on in ("GGML_AVX2", "GGML_FMA", "GGML_F16C"):
        assert f"-D{on}=ON" in flags
    assert "-DGGML_AMX_INT8=OFF" in runtime_build.cmake_args("avx512").split()


def test_auto_variant_follows_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_build.platform, "machine", lambda: "x86_64")
    zen4 = {"avx2", "avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_vnni"}
    assert runtime_build.auto_variant(zen4) == "avx512"
    assert runtime_build.auto_variant({"avx2", "fma", "f16c"}) == "portable"
    # Sapphire Rapids has AMX as well: the variant is AVX-512, the AMX switches stay off.
    spr = zen4 | {"amx_tile", "amx_int8", "amx_bf16", "avx512_bf16"}
    args = runtime_build.cmake_args(runtime_build.auto_variant(spr), spr).split()
    assert "-DGGML_AVX512_BF16=ON" in args and "-DGGML_AVX512_VBMI=ON" not in args
    assert {"-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_NATIVE=OFF"} <= set(args)


def test_arm_keeps_upstream_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_build.platform, "machine", lambda: "arm64")
    assert "GGML_" not in runtime_build.cmake_args("portable")


def test_rebuild_command_bypasses_pips_wheel_cache() -> None:
    command = runtime_build.rebuild_command()
    assert "--no-cache-dir" in command and "--force-reinstall" in command
    assert runtime_build.cmake_args() in command


# -- the installed build -----------------------------------------------------------------


def test_amx_scan_finds_amx_in_a_compiled_snippet(tmp_path: Path) -> None:
    _need("objdump")
    _need("gcc")
    source = tmp_path / "amx.c"
    source.write_text(
        "#include <immintrin.h>\n"
        "void f(const void *cfg, const void *p) {\n"
        "  _tile_loadconfig(cfg); _tile_loadd(1, p, 64); _tile_loadd(2, p, 64);\n"
        "  _tile_dpbssd(0, 1, 2); _tile_release(); }\n"
    )
    obj = tmp_path / "amx.o"
    subprocess.run(["gcc", "-O2", "-mamx-tile", "-mamx-int8", "-c", str(source), "-o", str(obj)],
                   check=True)
    assert {"ldtilecfg", "tileloadd", "tdpbssd", "tilerelease"} <= amx_instructions(obj)


def test_installed_llama_cpp_has_no_amx_instructions() -> None:
    _need("objdump")
    libraries = _installed_libraries()
    assert any("ggml-cpu" in lib.name for lib in libraries), libraries
    for library in libraries:
        assert not amx_instructions(library), f"{library.name} contains AMX code"


def test_installed_build_is_ours_and_reports_no_amx() -> None:
    libraries = _installed_libraries()
    record = runtime_build.installed_marker(libraries[0].parent.parent)
    assert record is not None, "llama-cpp-python was not built by coach.models.runtime_build"
    assert record["cmake_args"] == runtime_build.cmake_args(record["variant"])
    info = subprocess.run(
        [sys.executable, "-c",
         "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "AVX2 = 1" in info, info
    assert "AMX" not in info, info
    # The build has exactly the instruction sets its variant promises.
    assert ("AVX512 = 1" in info) == (record["variant"] == "avx512"), info


def test_portable_build_has_no_avx512_registers() -> None:
    """The portable variant must run on AVX2-only CPUs: no zmm register anywhere."""
    _need("objdump")
    libraries = _installed_libraries()
    record = runtime_build.installed_marker(libraries[0].parent.parent) or {}
    if record.get("variant") != "portable":
        pytest.skip(f"the installed variant is {record.get('variant')!r}, not portable")
    cpu = next(lib for lib in libraries if "ggml-cpu" in lib.name)
    listing = subprocess.run(["objdump", "-d", str(cpu)], capture_output=True, text=True,
                             check=True).stdout
    assert "%zmm" not in listing


# -- the self-test -----------------------------------------------------------------------


def fake_gguf(folder: Path) -> Path:
    """A file that passes the GGUF magic check; the simulated crash happens before loading."""
    path = folder / "tiny.gguf"
    path.write_bytes(b"GGUF" + bytes(64))
    return path


def test_simulated_crash_becomes_one_line_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed_libraries()
    monkeypatch.setenv(selftest.FAULT_ENV, "SIGSEGV")
    model = fake_gguf(tmp_path)
    result = selftest.run_selftest(model, threads=1)
    assert not result.ok and result.signal_name == "SIGSEGV"
    assert "AVX2" in selftest.enabled_features(result.system_info)
    with pytest.raises(ProviderError) as caught:
        selftest.check_runtime(tmp_path / "models", model, threads=1)
    line = caught.value.one_line()
    assert "\n" not in line
    assert "crashed with SIGSEGV" in line and "CMAKE_ARGS=" in line and "GGML_NATIVE=OFF" in line
    assert not selftest.is_recorded_ok(tmp_path / "models", model)


def test_amx_build_is_named_as_the_cause() -> None:
    result = selftest.SelfTestResult(False, -11, "CPU : AVX2 = 1 | AMX_INT8 = 1 |", "")
    line = selftest.crash_error(result).one_line()
    assert "AMX" in line and "#20824" in line and "SIGSEGV" in line


def test_a_recorded_pass_is_invalidated_by_a_new_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_gguf(tmp_path)
    monkeypatch.setattr(selftest, "runtime_identity", lambda: "build-1")
    calls: list[Path] = []

    def passing(path: Path, threads: int, timeout_s: float = 0) -> selftest.SelfTestResult:
        calls.append(path)
        return selftest.SelfTestResult(True, 0, "AVX2 = 1", "ok")

    monkeypatch.setattr(selftest, "run_selftest", passing)
    selftest.check_runtime(tmp_path, model, 1)
    selftest.check_runtime(tmp_path, model, 1)
    assert len(calls) == 1  # recorded: once per build and model
    monkeypatch.setattr(selftest, "runtime_identity", lambda: "build-2")
    assert not selftest.is_recorded_ok(tmp_path, model)
    selftest.check_runtime(tmp_path, model, 1)
    assert len(calls) == 2


def test_doctor_reports_a_crash_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    _installed_libraries()
    monkeypatch.setenv(selftest.FAULT_ENV, "SIGSEGV")
    monkeypatch.setenv("COACH_MODEL_PATH", str(fake_gguf(tmp_path)))
    code = main(["doctor", "--provider", "local", "--json"])
    out, err = capfd.readouterr()
    assert code == 1, err
    report = json.loads(out)
    assert report["healthy"] is False
    failed = {c["name"]: c for c in report["checks"] if c["status"] == "fail"}
    assert "runtime self-test" in failed
    assert "SIGSEGV" in failed["runtime self-test"]["detail"]
    assert "CMAKE_ARGS" in failed["runtime self-test"]["fix"]
    assert "Traceback" not in err


def test_ask_on_a_crashing_build_is_one_line_not_a_silent_death(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    _installed_libraries()
    monkeypatch.setenv(selftest.FAULT_ENV, "SIGSEGV")
    monkeypatch.setenv("COACH_MODEL_PATH", str(fake_gguf(tmp_path)))
    code = main(["ask", "--provider", "local", "What is the base salary range for Remote US?"])
    _, err = capfd.readouterr()
    assert code == 2
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "SIGSEGV" in errors[0], err
    assert err.rstrip().endswith(errors[0])
    assert "Traceback" not in err


def test_doctor_text_report_on_the_fake_provider(capfd: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor"])
    out, _ = capfd.readouterr()
    assert code == 0, out
    for name in ("provider", "embeddings", "chroma store", "disk"):
        assert name in out
    assert out.strip().endswith("all good")


def test_doctor_names_the_fix_for_a_missing_key(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--provider", "openai"])
    out, _ = capfd.readouterr()
    assert code == 1
    assert "OPENAI_API_KEY" in out and "fix:" in out
