# lit configuration for Loom's IR tests: every .mlir file here is a test.
import lit.formats

config.name = "Loom"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = config.loom_test_source_dir
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "CMakeLists.txt"]
config.environment["PATH"] = ":".join(
    [config.loom_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "/usr/bin:/bin")])
