-- Argo CD health of an iiif-aws.io/IiifJob: Progressing while pending or running, Healthy when
-- succeeded, Degraded when failed, Suspended when suspended.
local health = {}

local function condition(kind)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind and c.status == "True" then
        return c
      end
    end
  end
  return nil
end

local status = obj.status
if status == nil or status.phase == nil then
  health.status = "Progressing"
  health.message = "Waiting for the iiif-aws operator"
  return health
end

if status.phase == "Succeeded" then
  health.status = "Healthy"
  local complete = condition("Complete")
  health.message = complete ~= nil and complete.message or "Succeeded"
  return health
end

if status.phase == "Failed" then
  health.status = "Degraded"
  local failed = condition("Failed")
  health.message = failed ~= nil and ((failed.reason or "Failed") .. ": " .. (failed.message or "")) or "Failed"
  return health
end

if condition("Suspended") ~= nil or (obj.spec ~= nil and obj.spec.suspend == true) then
  health.status = "Suspended"
  health.message = "Suspended"
  return health
end

local failing = condition("FailureTarget")
health.status = "Progressing"
if failing ~= nil then
  health.message = "Stopping tasks before failing: " .. (failing.reason or "")
else
  health.message = status.phase .. ", batches done " .. (status.progress or "0/0")
end
return health
