// Supplies std::ios_base_library_init(), which GCC 13's libstdc++ (GLIBCXX_3.4.32) exports and
// TorchSharp's libLibTorchSharp.so references, for systems whose libstdc++ is older (Debian 12).
// GCC 13 uses the symbol to make iostreams initialise with the library; we do the same at load time.
#include <ios>

namespace std
{
    void ios_base_library_init();
    void ios_base_library_init() { static ios_base::Init init; }
}

namespace
{
    const std::ios_base::Init iostreamsReady;
}
