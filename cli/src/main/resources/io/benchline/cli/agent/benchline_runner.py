"""Benchline's built-in runner for procedures in TofuPilot's format.

Usage: python benchline_runner.py PROCEDURE_JSON RESULTS_JSON

PROCEDURE_JSON is the deployment's procedure.yaml as JSON (the agent converts it; the standard library has no YAML
parser). The current directory is the deployment's folder. The runner executes the phases in order: setup, then main
(each phase once every phase it depends_on has passed), then teardown, always. It instantiates the plugs, passes each
phase the arguments it names (phase, run, measurements, log, unit, attach, a plug's key, a finished phase's key),
checks the measurements' validators, honours timeout, retry and then, and writes RESULTS_JSON: the run's outcome and
each phase's. Exit status: 0 passed, 1 failed, 2 error.

Standard library only, Python 3.8 and later. Phases run one at a time (TofuPilot may run independent main phases in
parallel; here depends_on orders them and the list order breaks ties).
"""

import gc
import importlib.util
import inspect
import json
import os
import re
import shutil
import sys
import threading
import time
import traceback
import unicodedata

PASS, FAIL, ERROR, TIMEOUT, SKIP, STOP, RETRY = "pass", "fail", "error", "timeout", "skip", "stop", "retry"
DEFAULT_RETRY_LIMIT = 3


def key_from(name):
    """TofuPilot's key derivation: Supply Voltage -> supply_voltage."""
    text = unicodedata.normalize("NFD", str(name).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\s-]+", "_", text)
    text = re.sub(r"[^a-z0-9_]", "", text)
    text = re.sub(r"_+", "_", text).strip("_")
    return "_" + text if text[:1].isdigit() else text


def duration_ms(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    total, at, text = 0, 0, str(value).replace(" ", "")
    for match in re.finditer(r"(\d+)(ms|s|m|h)", text):
        if match.start() != at:
            raise ValueError("not a duration: %r" % value)
        n, unit = int(match.group(1)), match.group(2)
        total += n * {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}[unit]
        at = match.end()
    if at != len(text) or not text:
        raise ValueError("not a duration: %r" % value)
    return total


def resolve(spec):
    """(file, callable) of a python: reference (phases.voltage, plugs.psu:PSU, phases/v.py:run)."""
    path, _, attr = spec.strip().partition(":")
    if "/" in path:
        file = path if path.endswith(".py") else path + ".py"
    else:
        file = path.replace(".", "/") + ".py"
        attr = attr or path.rsplit(".", 1)[-1]
    return file, attr


_modules = {}


def load(spec):
    file, attr = resolve(spec)
    if file not in _modules:
        name = "benchline_procedure_" + re.sub(r"\W", "_", file[:-3])
        module_spec = importlib.util.spec_from_file_location(name, os.path.abspath(file))
        if module_spec is None:
            raise ImportError("cannot load %s" % file)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        _modules[file] = module
    return getattr(_modules[file], attr)


class Flow(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


class PhaseControl:
    def __init__(self, key, name):
        self.key, self.name = key, name

    def fail(self, message=""):
        raise Flow(FAIL, message)

    def skip(self, message=""):
        raise Flow(SKIP, message)

    def retry(self, message=""):
        raise Flow(RETRY, message)

    def stop(self, message=""):
        raise Flow(STOP, message)


class Measurements:
    def __init__(self):
        object.__setattr__(self, "_values", {})

    def __setattr__(self, key, value):
        self._values[key] = value

    def __getattr__(self, key):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key)


class Log:
    def __init__(self, phase_key, lines):
        self.phase_key, self.lines = phase_key, lines

    def _write(self, level, message):
        line = "[%s] %s: %s" % (self.phase_key, level, message)
        self.lines.append(line)
        print(line, flush=True)

    def debug(self, message):
        self._write("DEBUG", message)

    def info(self, message):
        self._write("INFO", message)

    def warning(self, message):
        self._write("WARNING", message)

    warn = warning

    def error(self, message):
        self._write("ERROR", message)


class Attach:
    def __init__(self, directory, attached):
        self.directory, self.attached = directory, attached

    def file(self, path, name=None):
        os.makedirs(self.directory, exist_ok=True)
        target = os.path.join(self.directory, name or os.path.basename(path))
        shutil.copyfile(path, target)
        self.attached.append(os.path.basename(target))

    def data(self, data, name):
        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, name), "wb") as out:
            out.write(data if isinstance(data, bytes) else str(data).encode("utf-8"))
        self.attached.append(name)


class Namespace:
    def __init__(self, **values):
        self.__dict__.update(values)


def evaluate(validator, value):
    """PASS, FAIL or UNSET (an unknown operator or a type that does not fit never fails, as in TofuPilot)."""
    operator, expected = validator.get("operator"), validator.get("expected_value")
    if value is None or operator is None or "expected_value" not in validator:
        return "UNSET"
    if isinstance(expected, list) and len(expected) == 1 and operator in ("==", "!="):
        expected = expected[0]
    try:
        if operator == "==":
            ok = value == expected
        elif operator == "!=":
            ok = value != expected
        elif operator in (">", ">=", "<", "<="):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "UNSET"
            ok = {">": value > expected, ">=": value >= expected, "<": value < expected,
                  "<=": value <= expected}[operator]
        elif operator in ("in", "not in"):
            if not isinstance(expected, list):
                return "UNSET"
            ok = (value in expected) == (operator == "in")
        elif operator == "matches":
            if not isinstance(value, str):
                return "UNSET"
            ok = re.search(expected, value) is not None
        else:
            return "UNSET"
    except TypeError:
        return "UNSET"
    return "PASS" if ok else "FAIL"


class Runner:
    def __init__(self, procedure, out_dir):
        self.procedure = procedure
        execution = procedure.get("execution") or {}
        self.stop_on_failure = execution.get("on_first_failure", "stop") == "stop"
        self.results = []
        self.finished = {}
        self.plugs = {}
        self.out_dir = out_dir
        unit_spec = procedure.get("unit") or {}

        def field(name, env):
            given = os.environ.get(env)
            if given:
                return given
            return ((unit_spec.get(name) or {}).get("default_value"))

        self.unit = Namespace(serial_number=field("serial_number", "BENCHLINE_SERIAL_NUMBER"),
                              part_number=field("part_number", "BENCHLINE_PART_NUMBER"),
                              revision_number=field("revision_number", "BENCHLINE_REVISION_NUMBER"),
                              batch_number=field("batch_number", "BENCHLINE_BATCH_NUMBER"),
                              metadata={}, sub_units={})
        self.run = Namespace(metadata={}, retry_count=0, retry_limit=0, slot_id=None,
                             id=os.environ.get("BENCHLINE_RUN_ID"))

    def start_plugs(self):
        for plug in self.procedure.get("plugs") or []:
            key = plug.get("key") or key_from(plug["name"])
            cls = load(plug["python"])
            self.plugs[key.lower()] = cls(**(plug.get("config") or {}))
            print("[plugs] %s: %s ready" % (key, plug["python"]), flush=True)

    def stop_plugs(self):
        for key in list(self.plugs):
            del self.plugs[key]
        gc.collect()

    def arguments(self, fn, available):
        kwargs = {}
        for name, parameter in inspect.signature(fn).parameters.items():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if name in available:
                kwargs[name] = available[name]
            elif name.lower() in self.plugs:
                kwargs[name] = self.plugs[name.lower()]
            elif name in self.finished:
                kwargs[name] = self.finished[name]
            elif parameter.default is parameter.empty:
                raise TypeError("phase argument '%s' is none of phase, run, measurements, log, unit, attach, a plug"
                                " (%s) or a finished phase" % (name, ", ".join(sorted(self.plugs)) or "no plugs"))
        return kwargs

    def attempt(self, phase, key, attempt, lines, attached):
        measurements = Measurements()
        available = {"phase": PhaseControl(key, phase["name"]), "run": self.run, "measurements": measurements,
                     "log": Log(key, lines), "unit": self.unit,
                     "attach": Attach(os.path.join(self.out_dir, "attachments", key), attached)}
        outcome, message = PASS, None
        timeout = duration_ms(phase.get("timeout"))
        box = {}

        def target():
            try:
                fn = load(phase["python"])
                returned = fn(**self.arguments(fn, available))
                if returned is not None:
                    raise ValueError("a phase returns None (it returned %r); use phase.fail() or measurements"
                                     % (returned,))
            except Flow as flow:
                box["flow"] = flow
            except BaseException as error:  # a phase's exception or SystemExit is the phase's error
                box["error"] = error
                box["trace"] = traceback.format_exc()

        if phase.get("python"):
            worker = threading.Thread(target=target, name="phase-" + key, daemon=True)
            worker.start()
            worker.join(None if timeout is None else timeout / 1000.0)
            if worker.is_alive():
                outcome, message = TIMEOUT, "still running after %d ms" % timeout
            elif "error" in box:
                outcome, message = ERROR, "%s: %s" % (type(box["error"]).__name__, box["error"])
                print(box["trace"], end="", flush=True)
            elif "flow" in box:
                outcome, message = box["flow"].kind, str(box["flow"]) or None
        checked = []
        failed_measurement = False
        declared = {}
        for m in phase.get("measurements") or []:
            declared[m.get("key") or key_from(m["name"])] = m
        for mkey in list(declared) + [k for k in measurements._values if k not in declared]:
            spec = declared.get(mkey, {})
            value = measurements._values.get(mkey)
            verdicts = [evaluate(v, value) for v in spec.get("validators") or []]
            result = "UNSET" if value is None else ("FAIL" if "FAIL" in verdicts else "PASS")
            failed_measurement = failed_measurement or result == "FAIL"
            checked.append({"key": mkey, "name": spec.get("name", mkey), "unit": spec.get("unit"),
                            "value": value if isinstance(value, (bool, int, float, str, list, dict)) else str(value),
                            "outcome": result})
        if outcome == PASS and failed_measurement:
            outcome = FAIL
            message = "measurement out of limits: " + ", ".join(c["key"] for c in checked if c["outcome"] == "FAIL")
        return outcome, message, checked

    def run_phase(self, phase, group):
        key = phase.get("key") or key_from(phase["name"])
        record = {"key": key, "name": phase["name"], "group": group, "attempts": 0}
        if phase.get("enabled") is False or phase.get("result") == "skip":
            record.update(outcome=SKIP, message="disabled", duration_ms=0, measurements=[])
            self.results.append(record)
            return record
        retry = phase.get("retry") or {}
        limit = int(retry.get("limit", DEFAULT_RETRY_LIMIT))
        delay = duration_ms(retry.get("delay")) or 0
        then = phase.get("then") or {}
        started = time.monotonic()
        lines, attached = [], []
        while True:
            record["attempts"] += 1
            self.run.retry_count, self.run.retry_limit = record["attempts"] - 1, limit
            print("[%s] %s: attempt %d" % (group, key, record["attempts"]), flush=True)
            outcome, message, checked = self.attempt(phase, key, record["attempts"], lines, attached)
            action = then.get(outcome) if outcome in (PASS, FAIL, ERROR, TIMEOUT) else None
            if outcome == RETRY or action == "retry":
                if record["attempts"] <= limit:
                    if delay:
                        time.sleep(delay / 1000.0)
                    continue
                if outcome == RETRY:
                    outcome, message = FAIL, "retried %d times: %s" % (limit, message or "")
            break
        record.update(outcome=outcome, message=message, measurements=checked, attachments=attached,
                      duration_ms=int((time.monotonic() - started) * 1000))
        if action in ("continue", "stop"):
            record["then"] = action
        self.results.append(record)
        self.finished[key] = Namespace(outcome=outcome, duration_ms=record["duration_ms"],
                                       measurements=Namespace(**{c["key"]: c["value"] for c in checked}))
        print("[%s] %s: %s%s" % (group, key, outcome, "" if not message else " (" + message + ")"), flush=True)
        return record

    def stops(self, record):
        outcome, action = record["outcome"], record.get("then")
        if outcome == STOP or action == "stop":
            return True
        if action == "continue" or outcome in (PASS, SKIP):
            return False
        return self.stop_on_failure

    def execute(self):
        stopped = False
        try:
            self.start_plugs()
        except BaseException as error:
            traceback.print_exc()
            self.results.append({"key": "plugs", "name": "plugs", "group": "setup", "attempts": 1, "outcome": ERROR,
                                 "message": "%s: %s" % (type(error).__name__, error), "duration_ms": 0,
                                 "measurements": []})
            stopped = True
        for phase in self.procedure.get("setup") or []:
            if stopped:
                break
            stopped = self.stops(self.run_phase(phase, "setup"))
        main = list(self.procedure.get("main") or [])
        keys = [p.get("key") or key_from(p["name"]) for p in main]
        pending = list(zip(keys, main))
        while pending and not stopped:
            ready = None
            for key, phase in pending:
                deps = phase.get("depends_on") or []
                if all(d in self.finished for d in deps):
                    ready = (key, phase)
                    break
            if ready is None:
                break
            pending.remove(ready)
            key, phase = ready
            blocked = [d for d in (phase.get("depends_on") or []) if self.finished[d].outcome not in (PASS, SKIP)]
            if blocked:
                record = {"key": key, "name": phase["name"], "group": "main", "attempts": 0, "outcome": SKIP,
                          "message": "depends on %s, which did not pass" % ", ".join(blocked), "duration_ms": 0,
                          "measurements": []}
                self.results.append(record)
                self.finished[key] = Namespace(outcome=SKIP, duration_ms=0, measurements=Namespace())
                continue
            stopped = self.stops(self.run_phase(phase, "main"))
        for key, phase in pending:
            self.results.append({"key": key, "name": phase["name"], "group": "main", "attempts": 0, "outcome": SKIP,
                                 "message": "not run: the run stopped", "duration_ms": 0, "measurements": []})
        for phase in self.procedure.get("teardown") or []:
            self.run_phase(phase, "teardown")
        try:
            self.stop_plugs()
        except BaseException:
            traceback.print_exc()
        return self.outcome()

    def outcome(self):
        outcomes = [r["outcome"] for r in self.results]
        if ERROR in outcomes or TIMEOUT in outcomes:
            return "error"
        if FAIL in outcomes or STOP in outcomes:
            return "failed"
        return "passed"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        procedure = json.load(f)
    sys.path.insert(0, os.getcwd())
    runner = Runner(procedure, os.path.dirname(os.path.abspath(argv[2])))
    started = time.monotonic()
    outcome = runner.execute()
    result = {"outcome": outcome, "duration_ms": int((time.monotonic() - started) * 1000),
              "unit": {"serial_number": runner.unit.serial_number, "part_number": runner.unit.part_number,
                       "revision_number": runner.unit.revision_number, "batch_number": runner.unit.batch_number},
              "phases": runner.results}
    os.makedirs(os.path.dirname(os.path.abspath(argv[2])), exist_ok=True)
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump(result, f, default=str)
    print("[run] %s in %d ms" % (outcome, result["duration_ms"]), flush=True)
    sys.stdout.flush()
    # A phase that timed out may still be running in its thread: leave without waiting for it.
    os._exit({"passed": 0, "failed": 1}.get(outcome, 2))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
