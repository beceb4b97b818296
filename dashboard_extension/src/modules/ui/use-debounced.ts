import { useEffect, useState } from "react";

/** The value, once it has stopped changing for `delay` ms (live previews without a request per keystroke). */
export const useDebounced = <T,>(value: T, delay = 400): T => {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
};
