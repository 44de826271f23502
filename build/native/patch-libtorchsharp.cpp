// Rewrites a copy of libLibTorchSharp.so so that it loads on a libstdc++ without GLIBCXX_3.4.32:
//   1. the GLIBCXX_3.4.32 version need is marked weak, so the loader does not refuse the library;
//   2. the one symbol bound to that version, std::ios_base_library_init(), becomes unversioned;
//   3. a DT_NEEDED on the shim that defines it is added, with RUNPATH $ORIGIN so it is found beside.
// Only bytes change, never sizes or offsets: the shim's name is written over the RUNPATH string (its
// build-machine paths are useless here) and the DT_NEEDED takes the slot of DT_SYMBOLIC, which is
// redundant when DT_FLAGS carries DF_SYMBOLIC (glibc reads the flag). Anything unexpected is refused.
// Usage: patch-libtorchsharp LIB SHIM_SONAME    (idempotent; exit 0 when patched or nothing to do)
#include <elf.h>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace
{
    const char* const MissingVersion = "GLIBCXX_3.4.32";
    const char* const MissingSymbol = "_ZSt21ios_base_library_initv";
    const char* const NewRunpath = "$ORIGIN";

    int Fail(const std::string& message)
    {
        std::fprintf(stderr, "error: patch-libtorchsharp: %s\n", message.c_str());
        return 1;
    }

    template <typename T> T* At(std::vector<unsigned char>& image, Elf64_Off offset)
    {
        return reinterpret_cast<T*>(image.data() + offset);
    }
}

int main(int argc, char** argv)
{
    if (argc != 3) return Fail("usage: patch-libtorchsharp LIB SHIM_SONAME");
    const std::string path = argv[1];
    const std::string shim = argv[2];

    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail("cannot read " + path);
    std::vector<unsigned char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();

    if (image.size() < sizeof(Elf64_Ehdr) || std::memcmp(image.data(), ELFMAG, SELFMAG) != 0 ||
        image[EI_CLASS] != ELFCLASS64 || image[EI_DATA] != ELFDATA2LSB)
        return Fail(path + " is not a 64-bit little-endian ELF file");

    auto* header = At<Elf64_Ehdr>(image, 0);
    auto* sections = At<Elf64_Shdr>(image, header->e_shoff);
    Elf64_Shdr *dynamic = nullptr, *dynsym = nullptr, *versym = nullptr, *verneed = nullptr, *verdef = nullptr;
    for (int i = 0; i < header->e_shnum; ++i)
    {
        switch (sections[i].sh_type)
        {
            case SHT_DYNAMIC: dynamic = &sections[i]; break;
            case SHT_DYNSYM: dynsym = &sections[i]; break;
            case SHT_GNU_versym: versym = &sections[i]; break;
            case SHT_GNU_verneed: verneed = &sections[i]; break;
            case SHT_GNU_verdef: verdef = &sections[i]; break;
        }
    }
    if (!dynamic || !dynsym || !versym || !verneed) return Fail(path + " lacks a dynamic, symbol or version section");

    const Elf64_Shdr& dynstr = sections[dynamic->sh_link];
    auto name = [&](Elf64_Word offset) { return At<char>(image, dynstr.sh_offset + offset); };
    auto* entries = At<Elf64_Dyn>(image, dynamic->sh_offset);
    const size_t entryCount = dynamic->sh_size / sizeof(Elf64_Dyn);

    for (size_t i = 0; i < entryCount && entries[i].d_tag != DT_NULL; ++i)
        if (entries[i].d_tag == DT_NEEDED && shim == name(entries[i].d_un.d_val))
        {
            std::printf("%s already patched\n", path.c_str());
            return 0;
        }

    // 1. Weaken the version need.
    Elf64_Half versionIndex = 0;
    for (Elf64_Off off = verneed->sh_offset;;)
    {
        auto* need = At<Elf64_Verneed>(image, off);
        for (Elf64_Off auxOff = off + need->vn_aux;;)
        {
            auto* aux = At<Elf64_Vernaux>(image, auxOff);
            if (std::strcmp(name(aux->vna_name), MissingVersion) == 0)
            {
                aux->vna_flags |= VER_FLG_WEAK;
                versionIndex = aux->vna_other;
            }
            if (aux->vna_next == 0) break;
            auxOff += aux->vna_next;
        }
        if (need->vn_next == 0) break;
        off += need->vn_next;
    }
    if (versionIndex == 0)
    {
        std::printf("%s does not need %s; nothing to do\n", path.c_str(), MissingVersion);
        return 0;
    }

    // 2. Unversion the one symbol that needs it; any other would be left undefined, so refuse.
    auto* symbols = At<Elf64_Sym>(image, dynsym->sh_offset);
    auto* versions = At<Elf64_Half>(image, versym->sh_offset);
    const size_t symbolCount = dynsym->sh_size / sizeof(Elf64_Sym);
    for (size_t i = 0; i < symbolCount; ++i)
    {
        if ((versions[i] & 0x7fff) != versionIndex) continue;
        if (std::strcmp(name(symbols[i].st_name), MissingSymbol) != 0)
            return Fail(std::string("symbol ") + name(symbols[i].st_name) + " also needs " + MissingVersion +
                        "; the shim only provides " + MissingSymbol);
        versions[i] = VER_NDX_GLOBAL;
    }

    // 3a. Room for the shim's name: the RUNPATH string, if nothing else shares its bytes.
    Elf64_Dyn* runpath = nullptr;
    Elf64_Dyn* symbolic = nullptr;
    bool flagsSymbolic = false;
    for (size_t i = 0; i < entryCount && entries[i].d_tag != DT_NULL; ++i)
    {
        if (entries[i].d_tag == DT_RUNPATH || entries[i].d_tag == DT_RPATH) runpath = &entries[i];
        if (entries[i].d_tag == DT_SYMBOLIC) symbolic = &entries[i];
        if (entries[i].d_tag == DT_FLAGS && (entries[i].d_un.d_val & DF_SYMBOLIC)) flagsSymbolic = true;
    }
    if (!runpath) return Fail(path + " has no RUNPATH to hold the shim's name");
    const Elf64_Word start = static_cast<Elf64_Word>(runpath->d_un.d_val);
    const size_t length = std::strlen(name(start));
    const size_t needed = std::strlen(NewRunpath) + 1 + shim.size() + 1;
    if (needed > length + 1) return Fail("the RUNPATH of " + path + " is too short to hold " + shim);

    auto shares = [&](Elf64_Word offset) { return offset > start && offset <= start + length; };
    for (size_t i = 0; i < symbolCount; ++i)
        if (shares(symbols[i].st_name)) return Fail("a symbol name shares the RUNPATH string's bytes");
    for (size_t i = 0; i < entryCount && entries[i].d_tag != DT_NULL; ++i)
    {
        const auto tag = entries[i].d_tag;
        if ((tag == DT_NEEDED || tag == DT_SONAME) && shares(static_cast<Elf64_Word>(entries[i].d_un.d_val)))
            return Fail("a library name shares the RUNPATH string's bytes");
    }
    for (Elf64_Off off = verneed->sh_offset;;)
    {
        auto* need = At<Elf64_Verneed>(image, off);
        if (shares(need->vn_file)) return Fail("a version file name shares the RUNPATH string's bytes");
        for (Elf64_Off auxOff = off + need->vn_aux;;)
        {
            auto* aux = At<Elf64_Vernaux>(image, auxOff);
            if (shares(aux->vna_name)) return Fail("a version name shares the RUNPATH string's bytes");
            if (aux->vna_next == 0) break;
            auxOff += aux->vna_next;
        }
        if (need->vn_next == 0) break;
        off += need->vn_next;
    }
    if (verdef) return Fail(path + " defines versions; this patch has not been checked against that layout");

    // 3b. A dynamic slot for the DT_NEEDED: DT_SYMBOLIC is redundant beside DF_SYMBOLIC.
    if (!symbolic || !flagsSymbolic) return Fail(path + " has no redundant dynamic entry to reuse for the shim");

    char* text = name(start);
    std::memset(text, 0, length);
    std::strcpy(text, NewRunpath);
    std::strcpy(text + std::strlen(NewRunpath) + 1, shim.c_str());
    symbolic->d_tag = DT_NEEDED;
    symbolic->d_un.d_val = start + std::strlen(NewRunpath) + 1;

    const std::string temporary = path + ".patching";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
        if (!out) return Fail("cannot write " + temporary);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) return Fail("cannot replace " + path);
    std::printf("patched %s (needs %s for %s)\n", path.c_str(), shim.c_str(), MissingSymbol);
    return 0;
}
