#include "dynlearn/io/output_file.hpp"

#include <cstdio>

#include "dynlearn/core/error.hpp"
#include "dynlearn/io/h5.hpp"
#include "dynlearn/io/provenance.hpp"
#include "dynlearn/parallel/environment.hpp"

namespace dynlearn::io {
namespace {

using h5::stack_rows;

}  // namespace

void write_output(const std::string& path, MPI_Comm comm, const std::string& resolved_deck,
                  const OutputModel& model, const OutputHistory& history,
                  const std::optional<OutputEvaluation>& evaluation) {
  write_file_atomically(
      path, comm, "output", output_schema_version, resolved_deck, [&](h5::File& f) {
        const std::vector<double> params(model.parameters.data(),
                                         model.parameters.data() + model.parameters.size());
        write_vector(f, "/model/parameters", params,
                     "trained parameters, flat (K's then V's for H-NET)");
        f.write_attribute("/model", "type", model.type);
        f.write_attribute("/model", "hidden", model.hidden);
        f.write_attribute("/model", "activation", model.activation);
        write_vector(f, "/history/epoch", history.epoch, "epoch number (1-based)");
        write_vector(f, "/history/loss", history.loss,
                     "mean squared error over the epoch's windows");
        write_vector(f, "/history/learning_rate", history.learning_rate, "learning rate in force");
        write_vector(f, "/history/seconds", history.seconds, "wall time of the epoch [s]");
        if (evaluation) {
          const auto& e = *evaluation;
          const hsize_t n = e.trajectories, k = e.steps + 1;
          const hsize_t dim = e.forecast.empty() ? 0 : e.forecast.front().rows();
          hsize_t dim_all = dim;
          MPI_Allreduce(MPI_IN_PLACE, &dim_all, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm);
          f.create_dataset("/evaluate/forecast", {n, k, dim_all},
                           "predicted states [trajectory, step, component]");
          f.create_dataset("/evaluate/truth", {n, k, dim_all},
                           "true states [trajectory, step, component]");
          f.create_dataset(
              "/evaluate/error", {n},
              "mean over steps 1..K of the L2 distance of predicted to true positions");
          f.write_rows("/evaluate/forecast", e.first, e.forecast.size(),
                       stack_rows(e.forecast).data());
          f.write_rows("/evaluate/truth", e.first, e.truth.size(), stack_rows(e.truth).data());
          f.write_rows("/evaluate/error", e.first, e.error.size(), e.error.data());
          f.write_attribute("/evaluate", "integrator", e.integrator);
          f.write_attribute("/evaluate", "iso", static_cast<std::int64_t>(e.iso));
          f.write_attribute("/evaluate", "steps", static_cast<std::int64_t>(e.steps));
          f.write_attribute("/evaluate", "error_mean", e.error_mean);
          f.write_attribute("/evaluate", "error_std", e.error_std);
        }
      });
}

OutputModel read_output_model(const std::string& path, MPI_Comm comm) {
  h5::File f = h5::File::open(path, comm);
  check_provenance(f, "output", output_schema_version);
  OutputModel m;
  m.type = f.read_string_attribute("/model", "type");
  m.hidden = f.read_int_array_attribute("/model", "hidden");
  m.activation = f.read_string_attribute("/model", "activation");
  const auto p = f.read_all("/model/parameters");
  m.parameters = Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size()));
  return m;
}

OutputHistory read_output_history(const std::string& path, MPI_Comm comm) {
  h5::File f = h5::File::open(path, comm);
  check_provenance(f, "output", output_schema_version);
  OutputHistory h;
  h.epoch = f.read_all("/history/epoch");
  h.loss = f.read_all("/history/loss");
  h.learning_rate = f.read_all("/history/learning_rate");
  h.seconds = f.read_all("/history/seconds");
  return h;
}

}  // namespace dynlearn::io
