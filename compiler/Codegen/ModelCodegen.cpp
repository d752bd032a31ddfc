// Loom's back end: partitions each model function into Halide kernels, compiles them ahead of
// time, and writes the C++ class that owns every buffer and calls the kernels in order.
#include "ModelCodegen.h"

#include "CpuSchedule.h"
#include "LoomDialect.h"
#include "LoomToHalide.h"
#include "loom/lower/kernel_library.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

namespace loom::codegen {
namespace {

using conversion::HalideTensor;
using mlir::Operation;
using mlir::Value;

std::vector<int64_t> shapeOf(Value v) {
  auto type = v.getType().cast<mlir::RankedTensorType>();
  return {type.getShape().begin(), type.getShape().end()};
}
bool isInteger(Value v) {
  return v.getType().cast<mlir::RankedTensorType>().getElementType().isInteger(32);
}
int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// A C++ identifier from a Loom name ("lstm.weight_ih" -> "lstm_weight_ih"; "class" -> "class_").
std::string identifier(llvm::StringRef name) {
  static const std::set<std::string> keywords = {
      "alignas", "alignof", "and", "auto", "bool", "break", "case", "catch", "char", "class", "const",
      "continue", "default", "delete", "do", "double", "else", "enum", "explicit", "export", "extern",
      "false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "namespace", "new",
      "not", "nullptr", "operator", "or", "private", "protected", "public", "register", "return",
      "short", "signed", "sizeof", "static", "struct", "switch", "template", "this", "throw", "true",
      "try", "typedef", "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "while"};
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "_" + id;
  return keywords.count(id) ? id + "_" : id;
}

/// "I, B, T": Halide lists extents innermost first, the reverse of Loom's row-major shapes.
std::string halideExtents(const std::vector<int64_t> &shape) {
  std::string text;
  for (auto it = shape.rbegin(); it != shape.rend(); ++it)
    text += (text.empty() ? "" : ", ") + std::to_string(*it);
  return text;
}

/// A C++ float literal for `value` that reads back as the same float ("1.0f", "0.0883883f").
std::string floatLiteral(double value) {
  std::ostringstream text;
  text << std::setprecision(9) << float(value);
  std::string literal = text.str();
  if (literal.find_first_of(".en") == std::string::npos)
    literal += ".0";
  return literal + "f";
}

std::string shapeList(const std::vector<int64_t> &shape) {
  std::string text;
  for (int64_t d : shape)
    text += (text.empty() ? "" : ", ") + std::to_string(d);
  return text;
}

/// A Func reading an ImageParam point for point, so kernels see every input as a HalideTensor.
HalideTensor readParam(const Halide::ImageParam &param, const std::vector<int64_t> &shape) {
  std::vector<Halide::Var> vars(shape.size());
  Halide::Func f(param.name() + "_read");
  f(vars) = param(vars);
  return {f, shape, param.type()};
}

/// One class member holding a tensor.
struct Member {
  std::string name;
  std::vector<int64_t> shape;
  bool integer = false;
};

/// How one kernel is called: its function name, the member (or local view) for every input, then
/// every output, in the order of the kernel's arguments.
struct Call {
  std::string function;
  std::vector<std::string> arguments;
};

class Emitter {
public:
  /// `schedules` replace Loom's for the kernels they name (those of other models are left out).
  Emitter(mlir::ModuleOp module, std::string model, const std::vector<dsl::RegisteredSchedule> &schedules)
      : module_(module), model_(std::move(model)) {
    for (const dsl::RegisteredSchedule &custom : schedules) {
      if (custom.model != model_)
        continue;
      auto [it, fresh] = schedules_.emplace(model_ + "_" + custom.kernel, custom);
      if (!fresh)
        throw std::runtime_error(dsl::file_and_line(custom.where) + ": LOOM_SCHEDULE(" + model_ + ", " + custom.kernel +
                                 ") schedules a kernel that " + dsl::file_and_line(it->second.where) +
                                 " schedules already; keep one of them");
    }
  }

  void plan() {
    collectModelInterface();
    checkAccessorNames();
    if (auto forward = module_.lookupSymbol<mlir::FuncOp>("forward"))
      forwardBody_ = planFunction(forward, "forward");
    else
      throw std::runtime_error("model '" + model_ + "' has no @forward function");
    if (auto train = module_.lookupSymbol<mlir::FuncOp>("train_step"))
      trainBody_ = planFunction(train, "train");
    checkSchedulesUsed();
  }

  const std::vector<lower::KernelRequest> &kernels() const { return kernels_; }
  std::string header() const;
  std::string source() const;
  void emitParameterCopies(std::ostringstream &s) const;
  void emitCheckpoints(std::ostringstream &s) const;

private:
  mlir::ModuleOp module_;
  std::string model_;
  std::vector<lower::KernelRequest> kernels_;
  std::map<std::string, dsl::RegisteredSchedule> schedules_; // by kernel function name
  std::vector<std::string> schedulable_;                     // kernels lowered from ops, in order

  /// A schedule for a kernel the model does not have is a mistake (a typo, or a kernel that a change
  /// of the model renumbered), not something to ignore.
  void checkSchedulesUsed() const {
    for (const auto &[name, custom] : schedules_) {
      if (llvm::is_contained(schedulable_, name))
        continue;
      std::string known;
      for (const std::string &kernel : schedulable_)
        known += (known.empty() ? "" : ", ") + kernel.substr(model_.size() + 1);
      throw std::runtime_error(dsl::file_and_line(custom.where) + ": LOOM_SCHEDULE(" + model_ + ", " + custom.kernel +
                               "): model '" + model_ + "' has no kernel " + name +
                               " that takes a schedule; those that do: " + known +
                               " (--emit=schedule shows each one's Funcs and loops)");
    }
  }
  std::vector<Member> temporaries_;
  struct NamedTensor {
    std::string name;
    std::vector<int64_t> shape;
    bool integer = false;
    std::string init;
    double scale = 0;
  };
  std::vector<NamedTensor> inputs_, parameters_, outputs_;
  std::string forwardBody_, trainBody_;
  bool hasLoss_ = false;
  bool usesRandomState_ = false; // some kernel reads loom.random_state: [seed, step]
  std::string family_;           // the model whose parameter files this one shares, if not its own

  //===--------------------------------------------------------------------===//
  // Model interface: names and shapes of inputs, parameters and outputs
  //===--------------------------------------------------------------------===//

  void collectModelInterface() {
    if (auto family = module_->getAttrOfType<mlir::StringAttr>("loom.parameter_family"))
      family_ = family.getValue().str();
    auto forward = module_.lookupSymbol<mlir::FuncOp>("forward");
    if (!forward)
      return;
    forward.walk([&](Operation *op) {
      if (auto in = llvm::dyn_cast<InputOp>(op))
        inputs_.push_back({in.name().str(), shapeOf(in.getResult()), isInteger(in.getResult())});
      else if (auto p = llvm::dyn_cast<ParameterOp>(op))
        parameters_.push_back({p.name().str(), shapeOf(p.getResult()), false, p.init().str(),
                               p.scale().convertToDouble()});
      else if (auto out = llvm::dyn_cast<OutputOp>(op))
        outputs_.push_back({out.name().str(), shapeOf(out.value()), isInteger(out.value())});
    });
  }

  /// Every input and output becomes an accessor <id>() and a constant <id>_shape of the generated
  /// class: none may take the name of another or of the class's own members.
  void checkAccessorNames() const {
    std::map<std::string, std::string> taken = {
        {model_, "the class's own name"},
        {"kName", "the model's name"},
        {"kParameterFamily", "the parameter family"},
        {"forward", "forward()"},
        {"loss", "loss()"},
        {"train_step", "train_step()"},
        {"steps", "steps(), the optimizer steps taken"},
        {"initialize_parameters", "initialize_parameters()"},
        {"save_parameters", "save_parameters()"},
        {"load_parameters", "load_parameters()"},
        {"save_checkpoint", "save_checkpoint()"},
        {"load_checkpoint", "load_checkpoint()"},
        {"State", "the class's private state"},
        {"state_", "the class's private state"}};
    auto claim = [&](const std::string &kind, const NamedTensor &tensor) {
      const std::string id = identifier(tensor.name);
      for (const std::string &member : {id, id + "_shape"}) {
        auto [it, fresh] = taken.emplace(member, "the " + kind + " '" + tensor.name + "'");
        if (!fresh)
          throw std::runtime_error("model '" + model_ + "': the " + kind + " '" + tensor.name +
                                   "' would be the member " + member + " of the generated class, which is " +
                                   "already " + it->second + "; rename the " + kind);
      }
    };
    for (const NamedTensor &in : inputs_)
      claim("input", in);
    for (const NamedTensor &out : outputs_)
      claim("output", out);
  }

  //===--------------------------------------------------------------------===//
  // Planning one function
  //===--------------------------------------------------------------------===//

  struct FunctionState {
    std::string prefix;
    llvm::DenseMap<Value, std::string> storage; // the expression naming each value's tensor
    std::map<std::pair<const void *, bool>, std::string> packed; // (operand, transposed) -> its panels
    // A function that updates no parameter (forward) packs the parameters' panels only when they changed
    // since its last call: those pack calls go to packCode, run under packed_parameters_fresh.
    bool cachesPackedParameters = false;
    std::ostringstream packCode;
    std::ostringstream code;
    int counter = 0;
  };

  std::string newTemporary(FunctionState &f, Value v, const std::string &hint) {
    return newTemporary(f, shapeOf(v), isInteger(v), hint);
  }
  std::string newTemporary(FunctionState &f, const std::vector<int64_t> &shape, bool integer,
                           const std::string &hint) {
    std::string name = f.prefix + "_" + hint + std::to_string(f.counter++);
    temporaries_.push_back({name, shape, integer});
    return name;
  }

  /// Algorithm:
  ///  1. Inputs and parameters name their members; every other op is either a loom.scan, a sink
  ///     (output, loss, optimizer update) or a compute op.
  ///  2. Maximal runs of compute ops between scans become one kernel each ("segments"); a value
  ///     gets a member when something outside its segment reads it.
  ///  3. A scan becomes a step kernel called once per time step from a generated loop.
  ///  4. Sinks run last: outputs are copied to their members, Adam updates follow.
  std::string planFunction(mlir::FuncOp function, const std::string &prefix) {
    FunctionState f;
    f.prefix = prefix;
    f.cachesPackedParameters = !function
                                    .walk([](Operation *op) {
                                      return llvm::isa<SgdUpdateOp, AdamUpdateOp, RmspropUpdateOp>(op)
                                                 ? mlir::WalkResult::interrupt()
                                                 : mlir::WalkResult::advance();
                                    })
                                    .wasInterrupted();
    mlir::Block &block = function.front();
    std::vector<Operation *> segment, sinks;
    auto flush = [&] {
      if (!segment.empty())
        planSegment(f, segment, block);
      segment.clear();
    };
    for (Operation &op : block.without_terminator()) {
      if (auto in = llvm::dyn_cast<InputOp>(op)) {
        f.storage[in.getResult()] = "input_" + identifier(in.name());
      } else if (auto p = llvm::dyn_cast<ParameterOp>(op)) {
        f.storage[p.getResult()] = "parameter_" + identifier(p.name()) + "_view";
      } else if (llvm::isa<RandomStateOp>(op)) {
        usesRandomState_ = true;
        f.storage[op.getResult(0)] = "random_state";
      } else if (llvm::isa<OutputOp, LossOp, SgdUpdateOp, AdamUpdateOp, RmspropUpdateOp, ParameterGradientOp>(op)) {
        sinks.push_back(&op);
      } else if (auto scan = llvm::dyn_cast<ScanOp>(op)) {
        flush();
        planScan(f, scan);
      } else {
        segment.push_back(&op);
      }
    }
    flush();
    for (Operation *op : sinks)
      planSink(f, op);
    if (f.packCode.str().empty())
      return f.code.str();
    return "  if (!packed_parameters_fresh) {\n" + f.packCode.str() + "    packed_parameters_fresh = true;\n  }\n" +
           f.code.str();
  }

  /// Operands of `ops` (and of ops nested in them) defined outside `ops`, in first-use order.
  static std::vector<Value> externalOperands(const std::vector<Operation *> &ops) {
    std::set<Operation *> inside(ops.begin(), ops.end());
    llvm::SetVector<Value> external;
    for (Operation *op : ops) {
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (!def || !inside.count(def))
          external.insert(operand);
      }
    }
    return {external.begin(), external.end()};
  }

  void planSegment(FunctionState &f, const std::vector<Operation *> &ops, mlir::Block &block) {
    std::set<Operation *> inside(ops.begin(), ops.end());
    // In a function that packs the parameters only when they change (forward), a matmul by a parameter
    // reads it packed by a pack kernel; the kernel reads the parameter itself only if something else
    // does. Elsewhere (train_step) the kernel packs it: a pack kernel of its own would only add a call.
    PackedOperands packed = packOperands(f, ops, [&](MatmulOp matmul) {
      return f.cachesPackedParameters && matmul.rhs().getDefiningOp<ParameterOp>();
    });
    auto kernelOp = [&](Operation *user) -> Operation * {
      Operation *op = block.findAncestorOpInBlock(*user);
      return op && inside.count(op) ? op : nullptr;
    };
    std::vector<Value> inputs, outputs;
    for (Value v : externalOperands(ops)) {
      if (packed.readUnpacked(v, kernelOp))
        inputs.push_back(v);
    }
    for (Operation *op : ops) {
      for (Value result : op->getResults()) {
        bool usedOutside = llvm::any_of(result.getUsers(), [&](Operation *user) {
          return !inside.count(block.findAncestorOpInBlock(*user));
        });
        if (usedOutside)
          outputs.push_back(result);
      }
    }
    if (outputs.empty())
      return; // nothing outside reads it (dead after canonicalization)
    std::string name = model_ + "_" + f.prefix + "_kernel" + std::to_string(kernels_.size());
    Call call{name, {}};
    for (Value v : inputs)
      call.arguments.push_back(storageOf(f, v));
    call.arguments.insert(call.arguments.end(), packed.members.begin(), packed.members.end());
    for (Value v : outputs) {
      f.storage[v] = newTemporary(f, v, "t");
      call.arguments.push_back(f.storage[v]);
    }
    addKernel(name, inputs, ops, outputs, packed.matmuls);
    emitCall(f.code, call);
  }

  std::string storageOf(FunctionState &f, Value v) {
    auto it = f.storage.find(v);
    if (it == f.storage.end())
      throw std::runtime_error("internal: value used before a kernel produced it");
    return it->second;
  }

  /// A matmul whose right operand a kernel reads already packed into panels (a recurrent weight,
  /// packed once per sequence): the panels come as an extra argument after the kernel's inputs.
  struct PackedMatmul {
    Operation *matmul;
    std::vector<int64_t> panelsShape;
  };

  /// Registers a kernel that reads `inputs` from buffers (then the panels of `packed`), computes `ops`
  /// in order and writes `outputs`. Halide schedules are per target, so the ops are lowered again for
  /// each target.
  void addKernel(const std::string &name, const std::vector<Value> &inputs,
                 const std::vector<Operation *> &ops, const std::vector<Value> &outputs,
                 const std::vector<PackedMatmul> &packed = {}) {
    schedulable_.push_back(name);
    std::optional<dsl::RegisteredSchedule> custom;
    if (auto it = schedules_.find(name); it != schedules_.end())
      custom = it->second;
    kernels_.push_back({name, [=](const Halide::Target &target) {
      llvm::DenseMap<Value, HalideTensor> env;
      std::vector<HalideTensor> funcs;
      std::vector<Halide::Argument> arguments;
      for (size_t i = 0; i < inputs.size(); ++i) {
        Value v = inputs[i];
        Halide::ImageParam param(isInteger(v) ? Halide::Int(32) : Halide::Float(32),
                                 int(shapeOf(v).size()), "in" + std::to_string(i));
        arguments.push_back(param);
        env[v] = readParam(param, shapeOf(v));
      }
      std::map<Operation *, HalideTensor> panels;
      for (size_t i = 0; i < packed.size(); ++i) {
        Halide::ImageParam param(Halide::Float(32), 3, "panels" + std::to_string(i));
        arguments.push_back(param);
        panels[packed[i].matmul] = readParam(param, packed[i].panelsShape);
      }
      for (Operation *op : ops) {
        std::vector<HalideTensor> operands;
        for (Value operand : op->getOperands())
          operands.push_back(env.lookup(operand));
        // Named by the op and its place in the kernel: the same on every target, for custom schedules.
        const std::string funcName = op->getName().stripDialect().str() + "_" + std::to_string(funcs.size());
        std::vector<HalideTensor> results =
            panels.count(op) ? conversion::lower_matmul_packed(op, operands[0], panels.at(op), funcName)
                             : conversion::lower_op(op, operands, funcName);
        for (auto [result, tensor] : llvm::zip(op->getResults(), results)) {
          env[result] = tensor;
          funcs.push_back(tensor);
        }
      }
      std::vector<HalideTensor> outs;
      std::vector<Halide::Func> outputFuncs;
      for (size_t j = 0; j < outputs.size(); ++j) {
        HalideTensor source = env.lookup(outputs[j]);
        // One name per dimension across outputs, so that schedules can line up their loop nests.
        std::vector<Halide::Var> vars;
        for (size_t d = 0; d < source.shape.size(); ++d)
          vars.emplace_back("d" + std::to_string(d));
        Halide::Func out("out" + std::to_string(j));
        out(vars) = source.func(vars);
        outs.push_back({out, source.shape, source.type});
        outputFuncs.push_back(out);
      }
      auto scheduleDefault = [=] { conversion::schedule_cpu(funcs, outs, target); };
      if (custom)
        applyCustomSchedule(*custom, target, outputFuncs, scheduleDefault);
      else
        scheduleDefault();
      return lower::Kernel{name, Halide::Pipeline(outputFuncs), arguments};
    }});
    if (custom)
      kernels_.back().schedule_site = dsl::file_and_line(custom->where);
  }

  /// Runs the model file's schedule of a kernel for `target`, naming the target in whatever it throws
  /// (Halide checks most directives as they are given; the library names the kernel and the schedule).
  static void applyCustomSchedule(const dsl::RegisteredSchedule &custom,
                                  const Halide::Target &target, const std::vector<Halide::Func> &outputs,
                                  std::function<void()> scheduleDefault) {
    dsl::Kernel kernel(custom.kernel, target, outputs, std::move(scheduleDefault));
    const std::string what = "its schedule for " + target.to_string() + ": ";
    try {
      custom.schedule(kernel);
    } catch (...) {
      throw std::runtime_error(what + lower::current_error());
    }
  }

  static void emitCall(std::ostream &out, const Call &call) {
    out << "  loom::check_kernel(" << call.function << "(";
    for (size_t i = 0; i < call.arguments.size(); ++i)
      out << (i ? ", " : "") << call.arguments[i] << ".raw_buffer()";
    out << "), \"" << call.function << "\");\n";
  }

  /// The matmuls that read their right operand packed into panels by packRhs (before the kernel),
  /// with the panels' members in the same order.
  struct PackedOperands {
    std::vector<PackedMatmul> matmuls;
    std::vector<std::string> members;
    std::set<Operation *> ops;

    /// Whether the kernel still reads `v` itself: some use other than a packed right operand, by an op
    /// that `kernelOp` maps to one of the kernel's ops (nullptr for uses outside the kernel).
    bool readUnpacked(Value v, llvm::function_ref<Operation *(Operation *)> kernelOp) const {
      return llvm::any_of(v.getUses(), [&](mlir::OpOperand &use) {
        Operation *user = kernelOp(use.getOwner());
        return user && !(ops.count(user) && use.getOperandNumber() == 1);
      });
    }
  };

  /// Packs the right operand of every matmul among `ops` that `wanted` accepts.
  PackedOperands packOperands(FunctionState &f, const std::vector<Operation *> &ops,
                              llvm::function_ref<bool(MatmulOp)> wanted) {
    PackedOperands packed;
    for (Operation *op : ops) {
      auto matmul = llvm::dyn_cast<MatmulOp>(op);
      if (matmul && wanted(matmul)) {
        packed.members.push_back(packRhs(f, matmul));
        packed.matmuls.push_back({matmul, conversion::packed_rhs_shape(matmul)});
        packed.ops.insert(matmul);
      }
    }
    return packed;
  }

  /// A scan: the carried state alternates between two members (step s reads buffer s%2 and
  /// writes the other, so with T static the final state's member is known), except a state the step
  /// also yields as an output, which the next step reads from the stacked output; each sequence and
  /// each stacked output is passed as a view of time step t.
  void planScan(FunctionState &f, ScanOp scan) {
    if (llvm::any_of(scan.getBodyBlock(), [](Operation &op) { return llvm::isa<ScanOp>(op); }))
      throw std::runtime_error("nested loom.scan is not supported by the code generator");
    mlir::Block &body = scan.getBodyBlock();
    size_t numCarried = scan.carried().size();
    int64_t steps = scan.getNumSteps();
    llvm::SetVector<Value> capturedSet;
    mlir::getUsedValuesDefinedAbove(scan.body(), capturedSet);

    // A matmul by a captured right operand (a recurrent weight) reads it packed into panels, packed once
    // before the loop rather than in every step; the step kernel then needs the operand only if something
    // else reads it.
    std::vector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    PackedOperands packed =
        packOperands(f, ops, [&](MatmulOp matmul) { return capturedSet.count(matmul.rhs()) > 0; });
    auto kernelOp = [&](Operation *user) { return scan.body().findAncestorOpInRegion(*user); };
    std::vector<Value> captured;
    for (Value v : capturedSet) {
      if (packed.readUnpacked(v, kernelOp))
        captured.push_back(v);
    }

    std::string name = model_ + "_" + f.prefix + "_step" + std::to_string(kernels_.size());
    auto yield = llvm::cast<YieldOp>(body.getTerminator());
    // A carried value that the step also yields as an output (an RNN's h) is written once, into the
    // stacked output: the next step reads it there, and the final state is copied from the last step.
    std::vector<std::optional<size_t>> carriedAsOutput(numCarried);
    for (size_t i = 0; i < numCarried; ++i) {
      for (size_t j = 0; j < scan.outputs().size() && !carriedAsOutput[i]; ++j) {
        if (yield.values()[i] == yield.values()[numCarried + j])
          carriedAsOutput[i] = j;
      }
    }
    std::vector<std::string> stateA, stateB;
    for (size_t i = 0; i < numCarried; ++i) {
      Value init = scan.carried()[i];
      stateA.push_back(newTemporary(f, init, "state"));
      stateB.push_back(carriedAsOutput[i] ? stateA.back() : newTemporary(f, init, "state"));
      f.code << "  loom::copy_values(" << stateA[i] << ", " << storageOf(f, init) << ");\n";
    }
    std::vector<std::string> stacked;
    for (Value out : scan.outputs()) {
      // A stacked output that is a function output is stacked in that output's member: no copy at the end.
      OutputOp sink;
      for (Operation *user : out.getUsers()) {
        if (!sink)
          sink = llvm::dyn_cast<OutputOp>(user);
      }
      stacked.push_back(sink ? "output_" + identifier(sink.name()) : newTemporary(f, out, "stacked"));
    }

    f.code << "  for (int s = 0; s < " << steps << "; ++s) {\n";
    f.code << "    const int t = " << (scan.reverse() ? std::to_string(steps - 1) + " - s" : "s") << ";\n";
    Call call{name, {}};
    const std::string previousStep = scan.reverse() ? "t + 1" : "t - 1";
    for (size_t i = 0; i < numCarried; ++i) {
      if (carriedAsOutput[i])
        f.code << "    auto in" << i << " = s == 0 ? " << stateA[i] << " : " << stacked[*carriedAsOutput[i]]
               << ".sliced(" << shapeOf(scan.outputs()[*carriedAsOutput[i]]).size() - 1 << ", " << previousStep
               << ");\n";
      else
        f.code << "    auto &in" << i << " = s % 2 == 0 ? " << stateA[i] << " : " << stateB[i] << ";\n";
      call.arguments.push_back("in" + std::to_string(i));
    }
    for (size_t i = 0; i < scan.sequences().size(); ++i) {
      Value seq = scan.sequences()[i];
      f.code << "    auto x" << i << " = " << storageOf(f, seq) << ".sliced(" << shapeOf(seq).size() - 1
             << ", t);\n";
      call.arguments.push_back("x" + std::to_string(i));
    }
    for (Value v : captured)
      call.arguments.push_back(storageOf(f, v));
    call.arguments.insert(call.arguments.end(), packed.members.begin(), packed.members.end());
    for (size_t i = 0; i < numCarried; ++i) {
      if (carriedAsOutput[i])
        continue;
      f.code << "    auto &out" << i << " = s % 2 == 0 ? " << stateB[i] << " : " << stateA[i] << ";\n";
      call.arguments.push_back("out" + std::to_string(i));
    }
    for (size_t j = 0; j < stacked.size(); ++j) {
      f.code << "    auto y" << j << " = " << stacked[j] << ".sliced(" << shapeOf(scan.outputs()[j]).size() - 1
             << ", t);\n";
      call.arguments.push_back("y" + std::to_string(j));
    }
    f.code << "  ";
    emitCall(f.code, call);
    f.code << "  }\n";

    for (size_t i = 0; i < numCarried; ++i) {
      const std::string &final = steps % 2 == 0 ? stateA[i] : stateB[i];
      if (carriedAsOutput[i] && steps > 0 && !scan.finals()[i].use_empty())
        f.code << "  loom::copy_values(" << final << ", " << stacked[*carriedAsOutput[i]] << ".sliced("
               << shapeOf(scan.outputs()[*carriedAsOutput[i]]).size() - 1 << ", "
               << (scan.reverse() ? "0" : std::to_string(steps - 1)) << "));\n";
      f.storage[scan.finals()[i]] = final;
    }
    for (size_t j = 0; j < stacked.size(); ++j)
      f.storage[scan.outputs()[j]] = stacked[j];

    std::vector<Value> inputs(body.getArguments().begin(), body.getArguments().end());
    inputs.insert(inputs.end(), captured.begin(), captured.end());
    std::vector<Value> outputs;
    for (size_t i = 0; i < yield.values().size(); ++i) {
      if (i >= numCarried || !carriedAsOutput[i])
        outputs.push_back(yield.values()[i]);
    }
    addKernel(name, inputs, ops, outputs, packed.matmuls);
  }

  /// Emits the call that packs `matmul`'s right operand into a member, before the time loop, and
  /// returns the member. Operands packed the same way share one kernel and, within a function, one
  /// member.
  std::string packRhs(FunctionState &f, MatmulOp matmul) {
    Value rhs = matmul.rhs();
    auto key = std::make_pair(rhs.getAsOpaquePointer(), matmul.transpose_rhs());
    if (auto it = f.packed.find(key); it != f.packed.end())
      return it->second;
    const std::vector<int64_t> rhsShape = shapeOf(rhs), shape = conversion::packed_rhs_shape(matmul);
    std::string kernel = model_ + "_pack_" + shapeKey(rhsShape) + (matmul.transpose_rhs() ? "_transposed" : "");
    if (packKernels_.insert(kernel).second) {
      Operation *op = matmul;
      kernels_.push_back({kernel, [=](const Halide::Target &target) {
        Halide::ImageParam param(Halide::Float(32), 2, "rhs");
        HalideTensor panels = conversion::pack_matmul_rhs(op, readParam(param, rhsShape));
        std::vector<Halide::Var> vars(3);
        Halide::Func out("panels");
        out(vars) = panels.func(vars);
        conversion::schedule_cpu({panels}, {{out, shape, panels.type}}, target);
        return lower::Kernel{kernel, Halide::Pipeline(out), {param}};
      }});
    }
    std::string member = newTemporary(f, shape, false, "panels");
    if (f.cachesPackedParameters && rhs.getDefiningOp<ParameterOp>()) {
      f.packCode << "  ";
      emitCall(f.packCode, {kernel, {storageOf(f, rhs), member}});
    } else {
      emitCall(f.code, {kernel, {storageOf(f, rhs), member}});
    }
    f.packed[key] = member;
    return member;
  }

  static std::string shapeKey(const std::vector<int64_t> &shape) {
    std::string key;
    for (int64_t d : shape)
      key += (key.empty() ? "" : "x") + std::to_string(d);
    return key;
  }

  void planSink(FunctionState &f, Operation *op) {
    if (auto out = llvm::dyn_cast<OutputOp>(op)) {
      const std::string member = "output_" + identifier(out.name());
      if (storageOf(f, out.value()) != member)
        f.code << "  loom::copy_values(" << member << ", " << storageOf(f, out.value()) << ");\n";
    } else if (auto loss = llvm::dyn_cast<LossOp>(op)) {
      hasLoss_ = true;
      f.code << "  loss = &" << storageOf(f, loss.value()) << ";\n";
    } else if (llvm::isa<SgdUpdateOp, AdamUpdateOp, RmspropUpdateOp>(op)) {
      planUpdate(f, op);
    } else {
      throw std::runtime_error("loom.parameter_gradient reached the code generator: the optimizer "
                               "pass must run first");
    }
  }

  /// One optimizer update: the kernel for its kind and parameter size (built once), called on flat
  /// views of the parameter, its gradient and its optimizer state, all updated in place.
  void planUpdate(FunctionState &f, Operation *op) {
    std::string name = op->getAttrOfType<mlir::StringAttr>("name").getValue().str();
    Value gradient = op->getOperand(0);
    UpdateRule rule = updateRule(op);
    std::string param = identifier(name);
    for (const std::string &slot : rule.slots)
      optimizerSlots_[name].insert(slot);
    int64_t count = elementCount(shapeOf(gradient));
    std::string kernel = model_ + "_" + rule.kind + "_n" + std::to_string(count);
    if (updateKernels_.insert(kernel).second)
      addUpdateKernel(kernel, count, rule);
    f.code << "  {\n    auto flat = [](auto &b, int n) { return Halide::Runtime::Buffer<float>(b.data(), n); };\n"
           << "    auto p = flat(parameter_" << param << "_view, " << count << "), g = flat("
           << storageOf(f, gradient) << ", " << count << ");\n";
    std::string inputs = "p.raw_buffer(), g.raw_buffer()", outputs = "p.raw_buffer()";
    for (const std::string &slot : rule.slots) {
      f.code << "    auto " << slot << " = flat(optimizer_" << slot << "_" << param << ", " << count << ");\n";
      inputs += ", " + slot + ".raw_buffer()";
      outputs += ", " + slot + ".raw_buffer()";
    }
    if (rule.corrections)
      inputs += ", correction1, correction2";
    f.code << "    loom::check_kernel(" << kernel << "(" << inputs << ", " << outputs << "), \"" << kernel
           << "\");\n  }\n";
  }

  /// What an update op keeps and computes: its kind, the state slots it keeps per parameter (in
  /// kernel argument order) and its hyperparameters.
  struct UpdateRule {
    enum class Method { sgd, sgd_momentum, adam, rmsprop } method;
    std::string kind; // names the kernel: the method, then "_keras" for Keras semantics
    std::vector<std::string> slots;
    bool corrections = false; // reads Adam's bias corrections 1 - beta^t
    bool keras = false;
    float lr = 0, momentum = 0, beta1 = 0, beta2 = 0, rho = 0, epsilon = 0;
  };

  UpdateRule updateRule(Operation *op) {
    UpdateRule r;
    auto number = [&](const char *attr) {
      return float(op->getAttrOfType<mlir::FloatAttr>(attr).getValueAsDouble());
    };
    r.keras = op->getAttrOfType<mlir::StringAttr>("semantics").getValue() == "keras";
    r.lr = number("learning_rate");
    if (llvm::isa<SgdUpdateOp>(op)) {
      r.momentum = number("momentum");
      r.method = r.momentum > 0 ? UpdateRule::Method::sgd_momentum : UpdateRule::Method::sgd;
      r.kind = r.momentum > 0 ? "sgd_momentum" : "sgd";
      if (r.momentum > 0)
        r.slots = {"velocity"};
    } else if (auto adam = llvm::dyn_cast<AdamUpdateOp>(op)) {
      r.method = UpdateRule::Method::adam;
      r.kind = "adam";
      r.slots = {"m", "v"};
      r.corrections = true;
      r.beta1 = number("beta1"), r.beta2 = number("beta2"), r.epsilon = number("epsilon");
      beta1_ = adam.beta1().convertToDouble();
      beta2_ = adam.beta2().convertToDouble();
      usesCorrections_ = true;
    } else {
      r.method = UpdateRule::Method::rmsprop;
      r.kind = "rmsprop";
      r.slots = {"square_average"};
      r.rho = number("rho"), r.epsilon = number("epsilon");
    }
    if (r.keras)
      r.kind += "_keras";
    return r;
  }

  std::set<std::string> updateKernels_, packKernels_;
  std::map<std::string, std::set<std::string>> optimizerSlots_; // parameter -> its state slots
  double beta1_ = 0, beta2_ = 0;
  bool usesCorrections_ = false;

  /// An optimizer step in place: one Func reads the parameter, the gradient and the state at a
  /// point and writes the new parameter and state there (a Tuple when there is state), so
  /// updating the buffers in place is safe. The formulas are those of the update ops' docs.
  void addUpdateKernel(const std::string &name, int64_t count, const UpdateRule r) {
    kernels_.push_back({name, [=](const Halide::Target &target) {
      using Halide::Expr;
      Halide::ImageParam p(Halide::Float(32), 1, "p"), g(Halide::Float(32), 1, "g");
      std::vector<Halide::ImageParam> slots;
      for (const std::string &slot : r.slots)
        slots.emplace_back(Halide::Float(32), 1, slot);
      Halide::Param<float> correction1("correction1"), correction2("correction2");
      Halide::Var i("i");
      std::vector<Expr> values;
      using Method = UpdateRule::Method;
      if (r.method == Method::sgd_momentum) {
        Expr velocity = r.keras ? r.momentum * slots[0](i) - r.lr * g(i) : r.momentum * slots[0](i) + g(i);
        values = {r.keras ? p(i) + velocity : p(i) - r.lr * velocity, velocity};
      } else if (r.method == Method::sgd) {
        values = {p(i) - r.lr * g(i)};
      } else if (r.method == Method::adam) {
        Expr m = r.beta1 * slots[0](i) + (1 - r.beta1) * g(i);
        Expr v = r.beta2 * slots[1](i) + (1 - r.beta2) * g(i) * g(i);
        Expr step = r.keras ? r.lr * Halide::sqrt(correction2) / correction1 * m / (Halide::sqrt(v) + r.epsilon)
                            : (r.lr / correction1) * m / (Halide::sqrt(v) / Halide::sqrt(correction2) + r.epsilon);
        values = {p(i) - step, m, v};
      } else {
        Expr v = r.rho * slots[0](i) + (1 - r.rho) * g(i) * g(i);
        Expr denominator = r.keras ? Halide::sqrt(v + r.epsilon) : Halide::sqrt(v) + r.epsilon;
        values = {p(i) - r.lr * g(i) / denominator, v};
      }
      Halide::Func update("update");
      if (values.size() == 1)
        update(i) = values[0];
      else
        update(i) = Halide::Tuple(values);
      int lanes = target.natural_vector_size<float>();
      if (count >= lanes)
        update.vectorize(i, lanes, Halide::TailStrategy::GuardWithIf);
      std::vector<Halide::Argument> arguments{p, g};
      arguments.insert(arguments.end(), slots.begin(), slots.end());
      if (r.corrections) {
        arguments.push_back(correction1);
        arguments.push_back(correction2);
      }
      return lower::Kernel{name, Halide::Pipeline(update), arguments};
    }});
  }
};

//===----------------------------------------------------------------------===//
// The generated header and source
//===----------------------------------------------------------------------===//

std::string Emitter::header() const {
  std::ostringstream h;
  h << "// Generated by loomc from the model '" << model_ << "'. Do not edit: change the model file.\n"
    << "#pragma once\n\n#include <array>\n#include <cstdint>\n#include <memory>\n#include <span>\n"
    << "#include <string>\n\nnamespace loom::models {\n\n"
    << "/// The compiled '" << model_ << "' model. It owns its parameters and every buffer;\n"
    << "/// shapes are static, as compiled.\nclass " << model_ << " {\npublic:\n"
    << "  static constexpr const char *kName = \"" << model_ << "\";\n"
    << "  /// The model name in its parameter files; shape variants of one model share it.\n"
    << "  static constexpr const char *kParameterFamily = \"" << (family_.empty() ? model_ : family_) << "\";\n\n"
    << "  /// Allocates every buffer and initializes the parameters with `seed`.\n"
    << "  explicit " << model_ << "(uint64_t seed = 0);\n  ~" << model_ << "();\n"
    << "  " << model_ << "(const " << model_ << " &) = delete;\n"
    << "  " << model_ << " &operator=(const " << model_ << " &) = delete;\n\n";
  for (const NamedTensor &in : inputs_) {
    std::string type = in.integer ? "int32_t" : "float";
    h << "  /// Input '" << in.name << "' [" << shapeList(in.shape) << "], row-major.\n"
      << "  std::span<" << type << "> " << identifier(in.name) << "();\n"
      << "  static constexpr std::array<int64_t, " << in.shape.size() << "> " << identifier(in.name)
      << "_shape{" << shapeList(in.shape) << "};\n";
  }
  for (const NamedTensor &out : outputs_) {
    std::string type = out.integer ? "int32_t" : "float";
    h << "  /// Output '" << out.name << "' [" << shapeList(out.shape) << "], filled by forward()"
      << (trainBody_.empty() ? "" : " and train_step()") << ".\n"
      << "  std::span<const " << type << "> " << identifier(out.name) << "() const;\n"
      << "  static constexpr std::array<int64_t, " << out.shape.size() << "> " << identifier(out.name)
      << "_shape{" << shapeList(out.shape) << "};\n";
  }
  h << "\n  /// Runs inference on the inputs.\n  void forward();\n";
  if (hasLoss_)
    h << "  /// The loss of the last forward() or train_step() on the current inputs.\n"
      << "  float loss() const;\n";
  if (!trainBody_.empty())
    h << "  /// Runs forward, backprop through time and one optimizer step; returns the loss.\n"
      << "  float train_step();\n  /// Optimizer steps taken so far.\n  int64_t steps() const;\n";
  h << "\n  /// Re-initializes every parameter (and the optimizer state) from `seed`.\n"
    << "  void initialize_parameters(uint64_t seed);\n"
    << "  /// Writes the parameters to a Loom parameter file, atomically.\n"
    << "  void save_parameters(const std::string &path) const;\n"
    << "  /// Reads parameters saved by this model (or a checkpoint of it, or a shape variant of it);\n"
    << "  /// throws loom::Error on any other file.\n"
    << "  void load_parameters(const std::string &path);\n";
  if (!trainBody_.empty())
    h << "  /// Writes a checkpoint, atomically: the parameters, the optimizer state, the step count and\n"
      << "  /// the random stream's seed, everything train_step() needs to go on as if never stopped.\n"
      << "  void save_checkpoint(const std::string &path) const;\n"
      << "  /// Restores a checkpoint written by save_checkpoint() of this model.\n"
      << "  void load_checkpoint(const std::string &path);\n";
  h << "\nprivate:\n"
    << "  struct State;\n  std::unique_ptr<State> state_;\n};\n\n} // namespace loom::models\n";
  return h.str();
}

std::string Emitter::source() const {
  std::ostringstream s;
  s << "// Generated by loomc from the model '" << model_ << "'. Do not edit: change the model file.\n"
    << "#include \"" << model_ << ".h\"\n#include \"" << model_ << "_kernels.h\"\n\n"
    << "#include \"HalideBuffer.h\"\n#include \"loom/runtime/checkpoint.h\"\n"
    << "#include \"loom/runtime/halide_buffers.h\"\n"
    << "#include \"loom/runtime/random.h\"\n#include \"loom/runtime/halide_errors.h\"\n"
    << "#include \"loom/runtime/halide_memory.h\"\n#include \"loom/runtime/halide_threads.h\"\n\n"
    << "#include <algorithm>\n#include <cmath>\n#include <vector>\n\nnamespace loom::models {\n\nusing Halide::Runtime::Buffer;\n\n"
    << "struct " << model_ << "::State {\n";
  auto declare = [&](const std::string &name, const std::vector<int64_t> &shape, bool integer) {
    std::string type = integer ? "int32_t" : "float";
    s << "  Buffer<" << type << "> " << name << " = "
      << (shape.empty() ? "Buffer<" + type + ">::make_scalar()" : "Buffer<" + type + ">(" + halideExtents(shape) + ")")
      << ";\n";
  };
  for (const NamedTensor &in : inputs_)
    declare("input_" + identifier(in.name), in.shape, in.integer);
  for (const NamedTensor &out : outputs_)
    declare("output_" + identifier(out.name), out.shape, out.integer);
  for (const NamedTensor &p : parameters_) {
    s << "  loom::Tensor parameter_" << identifier(p.name) << "{{" << shapeList(p.shape) << "}};\n";
    std::string view = "parameter_" + identifier(p.name) + "_view";
    // A view: the kernels read and update the parameter's own storage.
    s << "  Buffer<float> " << view << " = Buffer<float>(parameter_" << identifier(p.name)
      << ".data.data(), std::vector<int>{" << halideExtents(p.shape) << "});\n";
    if (optimizerSlots_.count(p.name)) {
      for (const std::string &slot : optimizerSlots_.at(p.name))
        declare("optimizer_" + slot + "_" + identifier(p.name), p.shape, false);
    }
  }
  for (const Member &t : temporaries_)
    declare(t.name, t.shape, t.integer);
  // Inputs and outputs start as zeros, so a forward() before any input is set is well defined.
  s << "  bool packed_parameters_fresh = false; // forward()'s panels of the parameters match them\n";
  s << "  int64_t step = 0;\n  uint64_t seed = 0; // the random stream's seed, for checkpoints\n"
    << "  void set_seed(uint64_t value) {\n    seed = value;\n";
  if (usesRandomState_)
    s << "    random_state(0) = int32_t(uint32_t(seed ^ (seed >> 32)));\n";
  s << "  }\n";
  if (usesRandomState_)
    s << "  Buffer<int32_t> random_state = Buffer<int32_t>(2); // [seed, step]: dropout's random stream\n";
  if (hasLoss_)
    s << "  Buffer<float> *loss = nullptr; // the scalar the last forward() or train_step() wrote\n";
  s << "\n  State() {\n";
  for (const NamedTensor &in : inputs_)
    s << "    loom::fill_values(input_" << identifier(in.name) << ", 0);\n";
  for (const NamedTensor &out : outputs_)
    s << "    loom::fill_values(output_" << identifier(out.name) << ", 0);\n";
  s << "  }\n\n  void forward() {\n" << forwardBody_ << "  }\n";
  if (!trainBody_.empty()) {
    // Adam's bias corrections 1 - beta^t for this step.
    s << "\n  float train_step() {\n    ++step;\n    packed_parameters_fresh = false;\n"
      << (usesRandomState_ ? "    random_state(1) = int32_t(step);\n" : "");
    if (usesCorrections_)
      s << "    const float correction1 = 1.0f - float(std::pow(" << beta1_ << ", double(step)));\n"
        << "    const float correction2 = 1.0f - float(std::pow(" << beta2_ << ", double(step)));\n";
    s << trainBody_ << "    return *loss->data();\n  }\n";
  }
  s << "};\n\n";
  // Constructor, accessors, parameters.
  s << model_ << "::" << model_ << "(uint64_t seed) : state_(std::make_unique<State>()) {\n"
    << "  loom::install_halide_error_handler();\n  loom::install_halide_buffer_cache();\n"
    << "  loom::use_loom_thread_yield();\n"
    << "  initialize_parameters(seed);\n}\n\n"
    << model_ << "::~" << model_ << "() = default;\n\n";
  for (const NamedTensor &in : inputs_) {
    std::string type = in.integer ? "int32_t" : "float";
    s << "std::span<" << type << "> " << model_ << "::" << identifier(in.name) << "() {\n  auto &b = state_->input_"
      << identifier(in.name) << ";\n  return {b.data(), size_t(b.number_of_elements())};\n}\n\n";
  }
  for (const NamedTensor &out : outputs_) {
    std::string type = out.integer ? "int32_t" : "float";
    s << "std::span<const " << type << "> " << model_ << "::" << identifier(out.name)
      << "() const {\n  auto &b = state_->output_" << identifier(out.name)
      << ";\n  return {b.data(), size_t(b.number_of_elements())};\n}\n\n";
  }
  s << "void " << model_ << "::forward() { state_->forward(); }\n\n";
  if (hasLoss_)
    s << "float " << model_ << "::loss() const {\n  return state_->loss ? *state_->loss->data() : NAN;\n}\n\n";
  if (!trainBody_.empty())
    s << "float " << model_ << "::train_step() { return state_->train_step(); }\n\n"
      << "int64_t " << model_ << "::steps() const { return state_->step; }\n\n";
  s << "void " << model_ << "::initialize_parameters(uint64_t seed) {\n  loom::Random random(seed);\n"
    << "  state_->packed_parameters_fresh = false;\n";
  for (const NamedTensor &p : parameters_) {
    std::string t = "state_->parameter_" + identifier(p.name);
    if (p.init == "uniform")
      s << "  loom::uniform_init(" << t << ", " << floatLiteral(p.scale) << ", random);\n";
    else if (p.init == "normal")
      s << "  loom::normal_init(" << t << ", 0.0f, " << floatLiteral(p.scale) << ", random);\n";
    else if (p.init == "orthogonal")
      s << "  loom::orthogonal_init(" << t << ", " << floatLiteral(p.scale) << ", random);\n";
    else if (p.init == "unit_forget_bias")
      s << "  std::fill(" << t << ".data.begin(), " << t << ".data.end(), 0.0f);\n  std::fill_n(" << t
        << ".data.begin() + " << int64_t(p.scale) << ", " << int64_t(p.scale) << ", 1.0f);\n";
    else if (p.init == "glorot_uniform")
      s << "  loom::glorot_uniform(" << t << ", " << (p.shape.size() >= 2 ? p.shape[1] : 1) << ", "
        << (p.shape.empty() ? 1 : p.shape[0]) << ", random);\n";
    else
      s << "  std::fill(" << t << ".data.begin(), " << t << ".data.end(), " << (p.init == "ones" ? "1.0f" : "0.0f")
        << ");\n";
    if (optimizerSlots_.count(p.name)) {
      for (const std::string &slot : optimizerSlots_.at(p.name))
        s << "  loom::fill_values(state_->optimizer_" << slot << "_" << identifier(p.name) << ", 0.0f);\n";
    }
  }
  s << "  state_->step = 0;\n  state_->set_seed(seed);\n}\n\n";
  std::string family = "kParameterFamily";
  s << "void " << model_ << "::save_parameters(const std::string &path) const {\n"
    << "  loom::save_parameters(path, " << family << ", {\n";
  for (const NamedTensor &p : parameters_)
    s << "      {\"" << p.name << "\", state_->parameter_" << identifier(p.name) << "},\n";
  s << "  });\n}\n\n";
  s << "void " << model_ << "::load_parameters(const std::string &path) {\n"
    << "  loom::ParameterSet set = loom::without_training_state(loom::load_parameters(path));\n"
    << "  loom::check_parameters_match(set, " << family << ", {\n";
  for (const NamedTensor &p : parameters_)
    s << "      {\"" << p.name << "\", {" << shapeList(p.shape) << "}},\n";
  s << "  });\n";
  emitParameterCopies(s);
  s << "}\n";
  if (!trainBody_.empty())
    emitCheckpoints(s);
  s << "\n} // namespace loom::models\n";
  return s.str();
}

/// Copies every parameter of the ParameterSet `set` into place: the kernels' buffer views point at
/// the parameters' storage.
void Emitter::emitParameterCopies(std::ostringstream &s) const {
  s << "  state_->packed_parameters_fresh = false;\n";
  for (const NamedTensor &p : parameters_)
    s << "  std::copy(set.get(\"" << p.name << "\").data.begin(), set.get(\"" << p.name
      << "\").data.end(), state_->parameter_" << identifier(p.name) << ".data.begin());\n";
}

/// save_checkpoint and load_checkpoint: the parameters plus "optimizer.<slot>.<parameter>" and the
/// "training.step" and "training.seed" counters (loom/runtime/checkpoint.h).
void Emitter::emitCheckpoints(std::ostringstream &s) const {
  // Every optimizer state buffer: its tensor name in the checkpoint, its member, its shape.
  struct Slot {
    std::string name, buffer, shape;
  };
  std::vector<Slot> slots;
  for (const NamedTensor &p : parameters_) {
    if (!optimizerSlots_.count(p.name))
      continue;
    for (const std::string &slot : optimizerSlots_.at(p.name))
      slots.push_back({"optimizer." + slot + "." + p.name, "state_->optimizer_" + slot + "_" + identifier(p.name),
                       shapeList(p.shape)});
  }
  s << "\nvoid " << model_ << "::save_checkpoint(const std::string &path) const {\n"
    << "  auto tensor = [](const Buffer<float> &b, std::vector<int64_t> shape) {\n"
    << "    loom::Tensor t(std::move(shape));\n    std::copy(b.data(), b.data() + b.number_of_elements(), t.data.begin());\n"
    << "    return t;\n  };\n  loom::save_parameters(path, kParameterFamily, {\n";
  for (const NamedTensor &p : parameters_)
    s << "      {\"" << p.name << "\", state_->parameter_" << identifier(p.name) << "},\n";
  for (const Slot &slot : slots)
    s << "      {\"" << slot.name << "\", tensor(" << slot.buffer << ", {" << slot.shape << "})},\n";
  s << "      {\"training.step\", loom::counter_tensor(uint64_t(state_->step))},\n"
    << "      {\"training.seed\", loom::counter_tensor(state_->seed)},\n  });\n}\n";

  s << "\nvoid " << model_ << "::load_checkpoint(const std::string &path) {\n"
    << "  loom::ParameterSet set = loom::load_parameters(path);\n"
    << "  loom::check_parameters_match(set, kParameterFamily, {\n";
  for (const NamedTensor &p : parameters_)
    s << "      {\"" << p.name << "\", {" << shapeList(p.shape) << "}},\n";
  for (const Slot &slot : slots)
    s << "      {\"" << slot.name << "\", {" << slot.shape << "}},\n";
  s << "      {\"training.step\", {4}},\n      {\"training.seed\", {4}},\n  });\n";
  emitParameterCopies(s);
  for (const Slot &slot : slots)
    s << "  std::copy(set.get(\"" << slot.name << "\").data.begin(), set.get(\"" << slot.name << "\").data.end(), "
      << slot.buffer << ".data());\n";
  s << "  state_->step = int64_t(loom::counter_value(set.get(\"training.step\"), \"training.step\", path));\n"
    << "  state_->set_seed(loom::counter_value(set.get(\"training.seed\"), \"training.seed\", path));\n}\n";
}

} // namespace

GeneratedModel generate_model(mlir::ModuleOp module, const std::string &model,
                              const std::vector<dsl::RegisteredSchedule> &schedules) {
  Emitter emitter(module, model, schedules);
  emitter.plan();
  return {emitter.header(), emitter.source(), emitter.kernels()};
}

void emit_model_library(mlir::ModuleOp module, const std::string &model,
                        const std::vector<Halide::Target> &targets,
                        const std::filesystem::path &directory,
                        const lower::LibraryOptions &options,
                        const std::vector<dsl::RegisteredSchedule> &schedules) {
  GeneratedModel generated = generate_model(module, model, schedules);
  std::filesystem::create_directories(directory);
  lower::compile_kernel_library(model + "_kernels", generated.kernels, targets, directory, options);
  std::ofstream(directory / (model + ".h")) << generated.header;
  std::ofstream(directory / (model + ".cpp")) << generated.source;
}

} // namespace loom::codegen
