// Boost.JSON compiled into this project (header-only use: the library's
// sources, from libboost1.81-dev, in one translation unit).
#include <boost/json/src.hpp>
