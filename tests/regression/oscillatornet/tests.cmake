# OscillatorNet (oscillatornet.txt) at CI size: m, b, k of a noise-free
# single oscillator within 3 % and of the coupled pair within 5 % (one mass
# as the known scale), the one-filter net conserving energy in its forecast,
# and a data-parallel run giving the same bits on 1, 2 and 3 ranks.
set(OSC_DIR ${CMAKE_CURRENT_LIST_DIR})
set(OSC_WORK ${CMAKE_CURRENT_BINARY_DIR}/oscillatornet)
file(MAKE_DIRECTORY ${OSC_WORK})
find_program(OSC_H5DIFF h5diff REQUIRED)
foreach(run single coupled one_filter)
  add_test(NAME regression_oscillatornet_${run} COMMAND ${DYNLEARN} run -q ${OSC_DIR}/${run}.toml
           WORKING_DIRECTORY ${OSC_WORK})
  set_tests_properties(regression_oscillatornet_${run} PROPERTIES LABELS regression
                       FIXTURES_SETUP osc_${run} ENVIRONMENT "${DYNLEARN_MPI_ENV}")
endforeach()
add_test(NAME regression_oscillatornet_single_within_3pc
         COMMAND ${SYSTEM_PYTHON} ${OSC_DIR}/check.py ${OSC_WORK}/out/osc_single_output.h5
                 --within b1=3 k1=3 --rmse-below 1e-8)
add_test(NAME regression_oscillatornet_coupled_within_5pc
         COMMAND ${SYSTEM_PYTHON} ${OSC_DIR}/check.py ${OSC_WORK}/out/osc_coupled_output.h5
                 --within m2=5 b1=5 b2=5 k1=5 k2=5 --rmse-below 1e-2)
add_test(NAME regression_oscillatornet_one_filter_energy
         COMMAND ${SYSTEM_PYTHON} ${OSC_DIR}/check.py ${OSC_WORK}/out/osc_one_filter_output.h5
                 --conserves-energy 1e-9)
set_tests_properties(regression_oscillatornet_single_within_3pc PROPERTIES LABELS regression
                     FIXTURES_REQUIRED osc_single)
set_tests_properties(regression_oscillatornet_coupled_within_5pc PROPERTIES LABELS regression
                     FIXTURES_REQUIRED osc_coupled)
set_tests_properties(regression_oscillatornet_one_filter_energy PROPERTIES LABELS regression
                     FIXTURES_REQUIRED osc_one_filter)
foreach(n 1 2 3)
  dynlearn_add_mpi_test(NAME regression_oscillatornet_ranks RANKS ${n} LABELS regression
                        COMMAND ${DYNLEARN} run -q ${OSC_DIR}/ranks.toml
                        WORKING_DIRECTORY ${OSC_WORK}/ranks_np${n}
                        FIXTURES_SETUP osc_ranks_np${n})
endforeach()
foreach(n 2 3)
  add_test(NAME regression_oscillatornet_identical_np${n}
           COMMAND sh -c "for o in /constants/learned /history/loss /forecast/predicted /forecast/rmse; do \
${OSC_H5DIFF} ${OSC_WORK}/ranks_np1/out/osc_ranks_output.h5 ${OSC_WORK}/ranks_np${n}/out/osc_ranks_output.h5 $o \
|| exit 1; done")
  set_tests_properties(regression_oscillatornet_identical_np${n} PROPERTIES LABELS "regression;mpi"
                       FIXTURES_REQUIRED "osc_ranks_np1;osc_ranks_np${n}")
endforeach()

# More ranks than trajectories: a rank owning nothing still takes part in
# every collective (reductions, output) and the bits are those of one rank.
dynlearn_add_mpi_test(NAME regression_oscillatornet_idle_rank RANKS 2 LABELS regression
                      COMMAND ${DYNLEARN} run -q ${OSC_DIR}/coupled.toml
                      WORKING_DIRECTORY ${OSC_WORK}/idle_np2
                      FIXTURES_SETUP osc_idle_np2)
add_test(NAME regression_oscillatornet_idle_rank_identical
         COMMAND sh -c "for o in /constants/learned /history/loss /forecast/predicted /forecast/time; do \
${OSC_H5DIFF} ${OSC_WORK}/out/osc_coupled_output.h5 ${OSC_WORK}/idle_np2/out/osc_coupled_output.h5 $o \
|| exit 1; done")
set_tests_properties(regression_oscillatornet_idle_rank_identical PROPERTIES LABELS "regression;mpi"
                     FIXTURES_REQUIRED "osc_coupled;osc_idle_np2")
