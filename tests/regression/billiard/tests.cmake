# SRNN heavy billiard (srnn.txt section 6, appendix F), from the shipped CI
# decks: the H-NET through the leapfrog augmented with the learned rebound
# module against plain SRNN (no rebound module) on the same data.
set(BIL_WORK ${CMAKE_CURRENT_BINARY_DIR}/billiard)
file(MAKE_DIRECTORY ${BIL_WORK}/out/srnn)
set(BIL_DECKS ${PROJECT_SOURCE_DIR}/inputs/srnn)
add_test(NAME regression_billiard_data COMMAND ${DYNLEARN} run -q ${BIL_DECKS}/ci_billiard_data.toml
         WORKING_DIRECTORY ${BIL_WORK})
set_tests_properties(regression_billiard_data PROPERTIES LABELS regression FIXTURES_SETUP bil_data
                     ENVIRONMENT "${DYNLEARN_MPI_ENV}")
foreach(run srnn baseline)
  add_test(NAME regression_billiard_${run} COMMAND ${DYNLEARN} run -q ${BIL_DECKS}/ci_billiard_${run}.toml
           WORKING_DIRECTORY ${BIL_WORK})
  set_tests_properties(regression_billiard_${run} PROPERTIES LABELS regression FIXTURES_REQUIRED bil_data
                       FIXTURES_SETUP bil_${run} ENVIRONMENT "${DYNLEARN_MPI_ENV}")
endforeach()
add_test(NAME regression_billiard_orderings
         COMMAND ${SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/../check_errors.py ${CMAKE_CURRENT_LIST_DIR}/expected.toml
                 --dir ${BIL_WORK}/out/srnn)
set_tests_properties(regression_billiard_orderings PROPERTIES LABELS regression
                     FIXTURES_REQUIRED "bil_srnn;bil_baseline")
