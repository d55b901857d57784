#include <iostream>

#include "daemon/cli.h"

int main(int argc, char** argv) {
    return misync::daemon::runCli(argc, argv, std::cout, std::cerr);
}
