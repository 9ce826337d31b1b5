// Output files of gicv5-sim (report, trace, VCD, CSV) and its standard output: written whole or
// not at all, every write error reported with the OS's reason.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace platform {

// A file written whole or not at all: the text goes to a temporary file in the target's
// directory, which replaces the target (rename) only once every byte was written, so a failed run
// never leaves a half-written file nor wipes an earlier one. A target that exists and is not a
// regular file (/dev/null, /dev/full, a FIFO, a terminal) is written in place: there is nothing to
// replace. Errors carry the OS's reason (strerror) of the first failed call.
class output_file : private std::streambuf {
public:
    output_file() = default;
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;
    ~output_file() override { discard(); }

    // `what` names the file in messages ("the report"). False, with the reason on err, when the
    // file cannot be created: a bad path fails before the run, not after it.
    bool open(const std::string& path, const std::string& what, std::ostream& err);
    // Standard output and the like: written in place, left open by commit().
    void open_descriptor(int fd, const std::string& what);
    bool is_open() const { return m_fd >= 0; }
    std::ostream& stream() { return m_stream; }
    // Writes what is buffered and closes the file, not yet in place. False, with the reason on
    // err and the temporary removed, when any write failed.
    bool finish(std::ostream& err);
    // finish(), then puts the file in place of the target.
    bool commit(std::ostream& err);
    // Abandons the file: the temporary goes, the target stays as it was.
    void discard();

private:
    int overflow(int c) override;
    int sync() override;
    void start_buffer();
    bool flush_buffer();
    bool fail(std::ostream& err, int error);

    std::string m_path, m_temp, m_what; // m_temp empty: written in place
    int m_fd = -1;
    bool m_owns_fd = true;
    bool m_finished = false; // written and closed
    int m_error = 0; // errno of the first failed write
    std::vector<char> m_buffer;
    std::ostream m_stream{this};
};

// Whether two paths name one file that is, or will be, a regular file (an output written over
// the config or over another output). Device files such as /dev/null may be shared.
bool same_regular_file(const std::string& a, const std::string& b);

} // namespace platform
