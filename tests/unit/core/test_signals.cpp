#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "dynlearn/core/signals.hpp"

using namespace dynlearn;

TEST(StopHandlers, SigusrAndSigtermSetTheFlag) {
  core::install_stop_handlers();
  core::reset_stop_request();
  EXPECT_FALSE(core::stop_requested());
  std::raise(SIGUSR1);
  EXPECT_TRUE(core::stop_requested());
  EXPECT_EQ(core::stop_signal(), SIGUSR1);
  core::reset_stop_request();
  EXPECT_FALSE(core::stop_requested());
  std::raise(SIGTERM);  // would end the test binary if the handler were missing
  EXPECT_TRUE(core::stop_requested());
  EXPECT_EQ(core::stop_signal(), SIGTERM);
  core::reset_stop_request();
  core::uninstall_stop_handlers();
}

TEST(StopHandlers, UninstallRestoresThePreviousHandler) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  struct sigaction before {};
  sigaction(SIGUSR1, &ignore, &before);
  core::install_stop_handlers();
  core::uninstall_stop_handlers();
  std::raise(SIGUSR1);  // ignored again, so no flag
  EXPECT_FALSE(core::stop_requested());
  sigaction(SIGUSR1, &before, nullptr);
}

TEST(Deadline, DisabledNeverPasses) {
  const core::Deadline none(0.0);
  EXPECT_FALSE(none.enabled());
  EXPECT_FALSE(none.passed());
  EXPECT_FALSE(none.would_pass(1e9));
}

TEST(Deadline, PassesAfterItsBudget) {
  const core::Deadline d(0.05);
  EXPECT_TRUE(d.enabled());
  EXPECT_FALSE(d.passed());
  EXPECT_TRUE(d.would_pass(1.0));
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_TRUE(d.passed());
  EXPECT_GE(d.elapsed_seconds(), 0.05);
}
