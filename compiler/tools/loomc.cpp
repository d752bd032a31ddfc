// The main of every model compiler, loomc-<model> (see loom_add_model_compiler): compiles a model
// that a file linked in defines with LOOM_MODEL(name, model).
#include "Loomc.h"
#include "loom/dsl/Driver.h"
#include "loom/dsl/Schedule.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>

int main(int argc, char **argv) {
  std::string modelName;
  loom::tools::Frontend frontend;
  frontend.description = "loomc: compiles a Loom model linked into it (a LOOM_MODEL definition) into its "
                         "IR, its generated C++ class and its kernels";
  frontend.add_options = [&](CLI::App &app) {
    app.add_option("--model", modelName, "Which linked-in model to compile (needed when there are several)")
        ->option_text("NAME");
  };
  frontend.load = [&]() -> loom::tools::LoadedModel {
    const auto &models = loom::dsl::registered_models();
    const loom::dsl::RegisteredModel *chosen = nullptr;
    std::string names;
    for (const auto &m : models) {
      names += (names.empty() ? "" : ", ") + m.name;
      if (m.name == modelName || (modelName.empty() && models.size() == 1))
        chosen = &m;
    }
    if (models.empty())
      throw std::runtime_error("no model is linked into this loomc; define one with LOOM_MODEL(name, model)");
    if (!chosen)
      throw std::runtime_error(modelName.empty()
                                   ? "this loomc holds several models (" + names + "); pick one with --model=NAME"
                                   : "no model named '" + modelName + "'; this loomc holds: " + names);
    // A schedule for a model that is not here is a typo, not something to skip.
    for (const auto &custom : loom::dsl::registered_schedules()) {
      if (std::none_of(models.begin(), models.end(), [&](const auto &m) { return m.name == custom.model; }))
        throw std::runtime_error(loom::dsl::file_and_line(custom.where) + ": LOOM_SCHEDULE(" + custom.model + ", " +
                                 custom.kernel + ") names no model of this loomc; it holds: " + names);
    }
    auto model = std::make_shared<loom::dsl::Model>(chosen->name);
    chosen->define(*model); // a loom::dsl::ModelError says what is wrong with the definition
    return {model->module(), chosen->name, model};
  };
  return loom::tools::loomc_main(argc, argv, frontend);
}
