# SNet method (snet.txt): deck errors in [snet] name the key and the fix;
# the shipped decks pass `check`; SIGTERM during training exits with 5.
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
