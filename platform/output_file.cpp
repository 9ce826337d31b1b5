#include "platform/output_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace platform {

bool output_file::open(const std::string& path, const std::string& what, std::ostream& err) {
    discard();
    m_path = path;
    m_what = what;
    m_error = 0;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        m_fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    } else {
        // Beside the file a symbolic link names, so that the rename replaces the file itself.
        std::error_code ec;
        std::filesystem::path target = std::filesystem::weakly_canonical(path, ec);
        if (ec)
            target = path;
        const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
        std::string name = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
        m_fd = ::mkostemp(name.data(), O_CLOEXEC);
        if (m_fd >= 0) {
            m_temp = name;
            m_path = target.string();
            const mode_t mask = ::umask(0); // mkstemp makes 0600; a new file is 0666 less umask
            ::umask(mask);
            ::fchmod(m_fd, 0666 & ~mask);
        }
    }
    if (m_fd < 0)
        return fail(err, errno);
    m_owns_fd = true;
    start_buffer();
    return true;
}

void output_file::open_descriptor(int fd, const std::string& what) {
    discard();
    m_path.clear();
    m_what = what;
    m_error = 0;
    m_fd = fd;
    m_owns_fd = false;
    start_buffer();
}

void output_file::start_buffer() {
    m_buffer.resize(64 * 1024);
    setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
    m_stream.clear();
}

bool output_file::flush_buffer() {
    const char* p = pbase();
    while (m_error == 0 && p < pptr()) {
        const ssize_t n = ::write(m_fd, p, static_cast<std::size_t>(pptr() - p));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            m_error = n < 0 ? errno : EIO;
        else
            p += n;
    }
    setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
    return m_error == 0;
}

int output_file::overflow(int c) {
    if (m_fd < 0 || !flush_buffer())
        return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
        *pptr() = traits_type::to_char_type(c);
        pbump(1);
    }
    return traits_type::not_eof(c);
}

int output_file::sync() { return m_fd >= 0 && flush_buffer() ? 0 : -1; }

bool output_file::finish(std::ostream& err) {
    if (m_fd < 0)
        return true;
    bool ok = flush_buffer();
    const int fd = m_fd;
    m_fd = -1;
    if (m_owns_fd && ::close(fd) != 0 && ok) {
        m_error = errno;
        ok = false;
    }
    m_finished = true;
    if (ok)
        return true;
    const int error = m_error;
    discard();
    return fail(err, error);
}

bool output_file::commit(std::ostream& err) {
    if (!finish(err))
        return false;
    if (!m_finished)
        return true; // never opened
    m_finished = false;
    if (!m_temp.empty() && ::rename(m_temp.c_str(), m_path.c_str()) != 0) {
        const int error = errno;
        discard();
        return fail(err, error);
    }
    m_temp.clear();
    return true;
}

void output_file::discard() {
    if (m_fd >= 0 && m_owns_fd)
        ::close(m_fd);
    m_fd = -1;
    if (!m_temp.empty())
        ::unlink(m_temp.c_str());
    m_temp.clear();
    m_finished = false;
    setp(nullptr, nullptr);
}

bool output_file::fail(std::ostream& err, int error) {
    err << "gicv5-sim: cannot write " << m_what;
    if (!m_path.empty())
        err << " '" << m_path << "'";
    err << ": " << std::strerror(error) << "\n";
    return false;
}

bool same_regular_file(const std::string& a, const std::string& b) {
    namespace fs = std::filesystem;
    std::error_code ec_a, ec_b;
    const fs::file_status sa = fs::status(a, ec_a), sb = fs::status(b, ec_b);
    if (fs::exists(sa) && fs::exists(sb)) {
        std::error_code ec;
        return fs::is_regular_file(sa) && fs::equivalent(a, b, ec);
    }
    if (fs::exists(sa) != fs::exists(sb))
        return false;
    std::error_code ec;
    const fs::path ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
    const fs::path cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
    return !ec && ca == cb;
}

} // namespace platform
