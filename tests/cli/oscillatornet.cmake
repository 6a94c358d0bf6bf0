# OscillatorNet method: deck errors in [oscillatornet] exit with code 2 and
# name the key; the shipped paper decks pass `check`.
set(OSC_WORK ${WORK}/oscillatornet)
file(MAKE_DIRECTORY ${OSC_WORK})
set(OSC_HEAD "[run]\nname = \"osc\"\noutput_dir = \".\"\nstages = [\"train\"]\nmethod = \"oscillatornet\"\n\n\
[system]\ntype = \"damped_oscillator\"\n\n[data]\nn_train = 1\nn_test = 0\ntrain_steps = 119\n\
test_steps = 1\n")
file(WRITE ${OSC_WORK}/misspelt.toml "${OSC_HEAD}\n[oscillatornet]\nlearning_rat = 0.1\n")
file(WRITE ${OSC_WORK}/bad_weights.toml "${OSC_HEAD}\n[oscillatornet]\nweights = \"two_filters\"\n")
file(WRITE ${OSC_WORK}/too_short.toml "${OSC_HEAD}\n[oscillatornet]\nforecast_points = 100\n")
file(WRITE ${OSC_WORK}/wrong_system.toml
     "[run]\nname = \"osc\"\noutput_dir = \".\"\nmethod = \"oscillatornet\"\n\n[system]\ntype = \"kepler\"\n")
cli_test(oscillatornet_misspelt_key 2 "misspelt.toml:17: unknown key 'learning_rat' in .oscillatornet.. did you mean 'learning_rate'"
         check ${OSC_WORK}/misspelt.toml)
cli_test(oscillatornet_bad_weights 2 "\\[oscillatornet\\] weights: value \"two_filters\" is not allowed"
         check ${OSC_WORK}/bad_weights.toml)
cli_test(oscillatornet_too_short 2 "\\[oscillatornet\\] observed_points \\+ forecast_points = 160"
         check ${OSC_WORK}/too_short.toml)
cli_test(oscillatornet_wrong_system 2 "learns damped_oscillator or coupled_oscillators"
         check ${OSC_WORK}/wrong_system.toml)
foreach(t 01 01_resnet 02 03 04 05 05_ifl 06 07 08 09 10)
  cli_test(oscillatornet_check_table${t} 0 "\\[oscillatornet\\]" check
           ${PROJECT_SOURCE_DIR}/inputs/oscillatornet/table${t}.toml)
endforeach()
cli_test(oscillatornet_check_chain3 0 "\\[oscillatornet\\]" check ${PROJECT_SOURCE_DIR}/inputs/oscillatornet/chain3.toml)
# [run] max_wall_seconds stops the training, writes the state reached, exit 5.
file(WRITE ${OSC_WORK}/budget.toml "[run]\nname = \"osc_budget\"\noutput_dir = \".\"\nmax_wall_seconds = 0.3\n\
stages = [\"generate\", \"train\"]\nmethod = \"oscillatornet\"\n\n[system]\ntype = \"damped_oscillator\"\n\n\
[data]\nn_train = 1\nn_test = 0\ntrain_steps = 119\ntest_steps = 1\n\n[oscillatornet]\niterations = 1000000000\n")
cli_test(oscillatornet_time_budget 5 "stopped by a signal or \\[run\\] max_wall_seconds" run ${OSC_WORK}/budget.toml)
