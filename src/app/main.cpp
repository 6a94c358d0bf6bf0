#include "dynlearn/app/cli.hpp"

int main(int argc, char** argv) { return dynlearn::app::main(argc, argv); }
