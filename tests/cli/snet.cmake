# SNet method (snet.txt): deck errors in [snet] name the key and the fix;
# the shipped decks pass `check`; checkpoints, --restart and a non-finite loss.
set(SNET_CLI ${WORK}/snet)
file(MAKE_DIRECTORY ${SNET_CLI})
set(SNET_HEAD "[run]\nname = \"s\"\noutput_dir = \".\"\nstages = [\"train\"]\nmethod = \"snet\"\n\n[system]\ntype = \"vehicle\"\n\n[data]\nn_train = 8\n")
file(WRITE ${SNET_CLI}/misspelt.toml "${SNET_HEAD}\n[snet]\nlearning_rat = 0.1\n")
file(WRITE ${SNET_CLI}/bad_method.toml "${SNET_HEAD}\n[snet]\nmethod = \"gamma_snet\"\n")
file(WRITE ${SNET_CLI}/blocks.toml "${SNET_HEAD}\n[snet]\nelements = 1\ntime_blocks = 2\n")
file(WRITE ${SNET_CLI}/shards.toml "${SNET_HEAD}\n[snet]\ntrajectory_shards = 9\n")
file(WRITE ${SNET_CLI}/baseline_blocks.toml "${SNET_HEAD}\n[snet]\nmethod = \"bkpr_euler\"\nelements = 2\ntime_blocks = 2\n")
file(WRITE ${SNET_CLI}/not_driven.toml
     "[run]\nname = \"s\"\noutput_dir = \".\"\nstages = [\"train\"]\nmethod = \"snet\"\n\n[system]\ntype = \"damped_oscillator\"\n\n[data]\nn_train = 16\n")
cli_test(snet_misspelt_key 2 "misspelt.toml:14: unknown key 'learning_rat' in .snet."
         check ${SNET_CLI}/misspelt.toml)
cli_test(snet_bad_method 2 "\\[snet\\] method: value \"gamma_snet\" is not allowed" check ${SNET_CLI}/bad_method.toml)
cli_test(snet_blocks_exceed_elements 2 "\\[snet\\] elements = 1 is fewer than \\[snet\\] time_blocks = 2"
         check ${SNET_CLI}/blocks.toml)
cli_test(snet_too_many_shards 2 "\\[snet\\] trajectory_shards = 9 exceeds \\[data\\] n_train = 8"
         check ${SNET_CLI}/shards.toml)
cli_test(snet_baseline_time_blocks 2 "bkpr_euler baseline is parallel over trajectories only: set time_blocks = 1"
         check ${SNET_CLI}/baseline_blocks.toml)
cli_test(snet_not_driven 2 "\\[system\\] type must be \"vehicle\" or \"multi_agent\"" check ${SNET_CLI}/not_driven.toml)
cli_test(snet_check_table1a 0 "\\[snet\\]" check ${PROJECT_SOURCE_DIR}/inputs/snet/table1a_alpha_snet.toml)

# Checkpoint and restart: a run stopped by a signal (exit 5) and continued
# with --restart on another rank count and grid shape (RANKSxBLOCKS) ends with
# the bits of a run never stopped (tests/cli/snet_restart.sh).
function(snet_restart_test name method iterations cut)
  add_test(NAME cli_snet_restart_${name}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/snet_restart.sh ${DYNLEARN} ${MPIEXEC_EXECUTABLE} ${method}
                   ${cut} ${ARGN})
  set_tests_properties(cli_snet_restart_${name} PROPERTIES LABELS "cli;mpi" PROCESSORS 3
                       ENVIRONMENT "${DYNLEARN_MPI_ENV};SNET_RESTART_ITERATIONS=${iterations}")
endfunction()
snet_restart_test(delta_np1 delta_snet 10000 1x1 1x1 2x2)
snet_restart_test(delta_np3 delta_snet 10000 3x3 2x1)
snet_restart_test(alpha_np1 alpha_snet 1000 1x1 1x1 3x3)
snet_restart_test(alpha_np2 alpha_snet 1000 2x2 3x1)
snet_restart_test(bkpr_euler bkpr_euler 1000 1x1 2x1)

# A non-finite residual exits with 3 and a message naming the fix, and keeps
# the checkpoints written before it (the newest: iteration 1).
file(WRITE ${SNET_CLI}/diverge.toml
     "[run]\nname = \"diverge\"\noutput_dir = \"diverge\"\nstages = [\"generate\", \"train\"]\nmethod = \"snet\"\n\n"
     "[system]\ntype = \"vehicle\"\n\n[data]\nfile = \"diverge/data.h5\"\nn_train = 4\nn_test = 1\n"
     "train_steps = 20\ntest_steps = 20\n\n"
     "[snet]\nhidden = [4]\np = 4\ntrajectory_shards = 2\niterations = 50\nlearning_rate = 1e300\n"
     "checkpoint_every = 1\nlog_every = 0\n")
add_test(NAME cli_snet_non_finite
         COMMAND sh -c "rm -rf diverge && ${EXPECT} 3 'residual became non-finite at iteration [0-9]+; lower \\[snet\\] learning_rate' -- \
${DYNLEARN} run diverge.toml && ls diverge/diverge_checkpoint_*.h5"
         WORKING_DIRECTORY ${SNET_CLI})
set_tests_properties(cli_snet_non_finite PROPERTIES LABELS cli ENVIRONMENT "${DYNLEARN_MPI_ENV}")
