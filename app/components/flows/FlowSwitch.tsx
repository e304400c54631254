import type { CSSProperties } from "react";

/**
 * An on/off switch (Polaris has none): a real button with role="switch", so it is reachable by
 * keyboard and announced with its state.
 */
export function FlowSwitch({
  checked,
  label,
  onChange,
  disabled,
}: {
  checked: boolean;
  /** Accessible name, e.g. "Checkout recovery". */
  label: string;
  onChange: (next: boolean) => void;
  disabled?: boolean;
}) {
  const track: CSSProperties = {
    position: "relative",
    display: "inline-flex",
    alignItems: "center",
    width: 36,
    height: 20,
    padding: 0,
    border: "none",
    borderRadius: 10,
    background: checked ? "var(--p-color-bg-fill-success, #29845a)" : "var(--p-color-bg-fill-tertiary, #b5b5b5)",
    cursor: disabled ? "not-allowed" : "pointer",
    opacity: disabled ? 0.6 : 1,
    transition: "background 120ms ease",
    flexShrink: 0,
  };
  const knob: CSSProperties = {
    position: "absolute",
    top: 2,
    left: checked ? 18 : 2,
    width: 16,
    height: 16,
    borderRadius: "50%",
    background: "#fff",
    boxShadow: "0 1px 2px rgba(0,0,0,.3)",
    transition: "left 120ms ease",
  };
  return (
    <button type="button" role="switch" aria-checked={checked} aria-label={label} disabled={disabled} onClick={() => onChange(!checked)} style={track}>
      <span style={knob} aria-hidden="true" />
    </button>
  );
}
